using LookupDecode.Drafting.Trees;
using LookupDecode.Models;
using LookupDecode.Native;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Native;

/// <summary>
/// After a tree step the KV cache must be what plain decoding would have built, cell for cell in position order:
/// attention adds cells up in cell order, so the logits of every later token are compared bit for bit with a context
/// that decoded the same tokens one at a time — for the batch's first branch and for branches that leave it.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class TreeCacheLayoutTests(SharedModels models)
{
    [ModelTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Later_logits_after_a_tree_step_equal_plain_decoding_bit_for_bit(int keptBranch)
    {
        var model = models.Get(TestModelNames.TinyStories656K);
        var options = new ModelOptions { ContextSize = 256, Threads = 2, CheckMode = ModelCheckMode.None };
        _ = NativeContext.ResolveKvCacheType(options, model.HeadSize);
        var prompt = model.Tokenize("Once upon a time there was a little girl named Lily. She");
        var pending = prompt[^1];
        var prefix = prompt[..^1];
        int[][] branches = [[10, 11, 12], [10, 20, 21], [30, 31, 32]];
        var after = new[] { 40, 41, 42 };

        // Tree: three branches (two share their first token); the kept one's 3 tokens are accepted.
        using var tree = NativeContext.Create(model.Native, options, model.HeadSize);
        tree.Decode(prefix, 0, logitsForAll: false);
        var draft = new DraftTree(16);
        foreach (var branch in branches)
        {
            var parent = -1;
            foreach (var token in branch)
            {
                var existing = draft.ChildWithToken(parent, token);
                parent = existing >= 0 ? existing : draft.Add(token, parent);
            }
        }

        tree.DecodeTree(pending, draft, prefix.Length);
        var accepted = -1;
        foreach (var token in branches[keptBranch])
        {
            accepted = draft.ChildWithToken(accepted, token);
        }

        var redecoded = tree.KeepTreeBranch(draft, accepted, prefix.Length);
        Assert.Equal(keptBranch != 0, redecoded);

        // Plain: the same tokens, one llama_decode each.
        using var plain = NativeContext.Create(model.Native, options, model.HeadSize);
        plain.Decode(prefix, 0, logitsForAll: false);
        int[] kept = [pending, .. branches[keptBranch]];
        for (var i = 0; i < kept.Length; i++)
        {
            plain.Decode(kept.AsSpan(i, 1), prefix.Length + i, logitsForAll: true);
        }

        var position = prefix.Length + kept.Length;
        foreach (var token in after)
        {
            tree.Decode([token], position, logitsForAll: true);
            plain.Decode([token], position, logitsForAll: true);
            Assert.True(tree.Logits(0).SequenceEqual(plain.Logits(0)), $"logits differ at position {position} (kept branch {keptBranch})");
            position++;
        }
    }
}
