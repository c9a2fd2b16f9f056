using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Drafting.Trees;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// Token-tree verification on real models with trees built to be hard: decoys before and after the right branch,
/// decoys sharing its first tokens, the right branch anywhere among them. The output must equal plain decoding token for
/// token (a stale or lost KV cell would change the next step's logits), and the right branch must be taken.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class TreeVerificationTests(SharedModels models)
{
    private const int MaxTokens = 64;

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var model in TestModelNames.All)
        {
            foreach (var prompt in new[] { "tiny-once", "story" })
            {
                foreach (var rightBranch in new[] { 0, 2, 5 })
                {
                    data.Add(model, prompt, rightBranch);
                }
            }
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(Cases))]
    public void A_tree_with_decoys_emits_exactly_the_greedy_tokens_and_keeps_the_right_branch(string model, string prompt, int rightBranch)
    {
        var llama = models.Get(model);
        var text = PromptFile.ReadText(TestPaths.Prompt(prompt));
        if (!llama.Info.HasByteFallback && !llama.CanEncode(text))
        {
            return; // this vocabulary cannot take the prompt (covered by the tokenizer guard's tests)
        }

        using var session = llama.CreateSession();
        var expected = session.Generate(text, new GenerationOptions { MaxTokens = MaxTokens }).Tokens.ToArray();
        var promptLength = llama.Tokenize(text).Length;
        var plan = DraftingPlan.TreeOver(32, _ => new DecoyTreeDrafter(expected, promptLength, rightBranch, llama.Info.VocabularySize));

        var result = session.Generate(text, new GenerationOptions { Drafting = plan, MaxTokens = MaxTokens });

        Assert.Equal(expected, result.Tokens);
        Assert.Null(result.Statistics.DraftingFallback);
        Assert.True(result.Statistics.AcceptedTokens >= (expected.Length - 1) / 2, $"accepted {result.Statistics.AcceptedTokens} of {expected.Length}");
        Assert.True(result.Statistics.DecodeCalls <= (expected.Length / 3) + 1, $"{result.Statistics.DecodeCalls} decode calls for {expected.Length} tokens");
    }

    /// <summary>
    /// Knows the greedy continuation and hides it among decoys: branches that differ at the first token, and branches
    /// that share its first two tokens and then differ. The right branch is the <c>rightBranch</c>-th added.
    /// </summary>
    private sealed class DecoyTreeDrafter(int[] expected, int promptLength, int rightBranch, int vocabularySize) : ITreeDraftSource
    {
        private const int Depth = 6;

        public string Name => "decoy-tree";

        public int TreeEvidenceClassCount => 1;

        public double TreePriorAcceptance(int evidenceClass) => 0.5;

        public void Begin(ReadOnlySpan<int> prompt)
        {
        }

        public void Observe(ReadOnlySpan<int> history)
        {
        }

        public int Propose(ReadOnlySpan<int> history, Span<int> draft) => 0;

        public void End(ReadOnlySpan<int> history)
        {
        }

        public int ProposeTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth)
        {
            tree.Clear();
            var generated = history.Length - promptLength;
            var depth = Math.Min(Math.Min(Depth, maxDepth), expected.Length - generated);
            if (depth < 3 || budget < 4 * Depth)
            {
                return 0;
            }

            var right = expected.AsSpan(generated, depth);
            Span<int> decoy = stackalloc int[depth];
            for (var branch = 0; branch < 6; branch++)
            {
                if (branch == rightBranch)
                {
                    AddPath(tree, right, shared: right.Length);
                }
                else if (branch % 2 == 0)
                {
                    // A decoy sharing the first two right tokens, then wrong.
                    right.CopyTo(decoy);
                    decoy[2] = Wrong(right[2], branch);
                    AddPath(tree, decoy, shared: 2);
                }
                else
                {
                    // A decoy wrong from its first token.
                    decoy[0] = Wrong(right[0], branch);
                    decoy[1] = right[1];
                    decoy[2] = right[2];
                    AddPath(tree, decoy[..3], shared: 0);
                }
            }

            return tree.Count;
        }

        private int Wrong(int token, int salt) => (token + 1 + salt) % vocabularySize;

        /// <summary>Adds a path, reusing the existing nodes of its first <paramref name="shared"/> tokens.</summary>
        private static void AddPath(DraftTree tree, ReadOnlySpan<int> path, int shared)
        {
            var parent = -1;
            for (var i = 0; i < path.Length; i++)
            {
                var existing = i < shared ? tree.ChildWithToken(parent, path[i]) : -1;
                parent = existing >= 0 ? existing : tree.Add(path[i], parent);
            }
        }
    }
}
