using System.Text;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Text;

/// <summary>Each token's place in a word, from its text and from real vocabularies.</summary>
[Collection(SharedModelsCollection.Name)]
public sealed class TokenKindsTests(SharedModels models)
{
    [Theory]
    [InlineData(" the", nameof(TokenKind.WordStart))]
    [InlineData(" 42", nameof(TokenKind.WordStart))]
    [InlineData(" été", nameof(TokenKind.WordStart))]
    [InlineData("ing", nameof(TokenKind.Continuation))]
    [InlineData("7", nameof(TokenKind.Continuation))]
    [InlineData("é", nameof(TokenKind.Continuation))]
    [InlineData(".", nameof(TokenKind.Other))]
    [InlineData(" .", nameof(TokenKind.Other))]
    [InlineData(" ", nameof(TokenKind.Other))]
    [InlineData("\n", nameof(TokenKind.Other))]
    [InlineData("", nameof(TokenKind.Other))]
    public void A_piece_is_a_word_start_a_continuation_or_other(string piece, string expected)
        => Assert.Equal(expected, TokenKinds.Classify(Encoding.UTF8.GetBytes(piece)).ToString());

    [Fact]
    public void A_piece_cut_inside_a_character_is_other()
    {
        // The first byte of "é" alone: a byte-level piece that is not a whole character.
        Assert.Equal(TokenKind.Other, TokenKinds.Classify([0xC3]));
        Assert.Equal(TokenKind.Other, TokenKinds.Classify([(byte)' ', 0xC3]));
    }

    [Fact]
    public void Pieces_longer_than_the_buffer_are_written_again_whole_and_ids_outside_are_other()
    {
        // As llama_token_to_piece: a piece that does not fit writes nothing and returns its length.
        var kinds = TokenKinds.FromPieces(4, (token, destination) =>
        {
            var text = Encoding.UTF8.GetBytes(token switch { 0 => "", 1 => " " + new string('a', 200), 2 => new string('b', 200), _ => "." + new string('c', 100) });
            if (text.Length <= destination.Length)
            {
                text.CopyTo(destination);
            }

            return text.Length;
        });

        Assert.Equal([TokenKind.Other, TokenKind.WordStart, TokenKind.Continuation, TokenKind.Other], [kinds.Of(0), kinds.Of(1), kinds.Of(2), kinds.Of(3)]);
        Assert.Equal(TokenKind.Other, kinds.Of(-1));
        Assert.Equal(TokenKind.Other, kinds.Of(3));
    }

    [ModelFact]
    public void A_real_vocabulary_tells_word_starts_from_continuations()
    {
        var model = models.Get(TestModelNames.Stories260K);
        var kinds = model.Native.TokenKinds;
        var tokens = model.Tokenize("Once upon a time, the cat was jumping.", addSpecial: false);
        var pieces = tokens.Select(token => model.Detokenize([token], renderSpecial: false)).ToArray();

        Assert.Equal(model.Info.VocabularySize, kinds.VocabularySize);
        for (var i = 0; i < tokens.Length; i++)
        {
            Assert.Equal(TokenKinds.Classify(Encoding.UTF8.GetBytes(pieces[i])), kinds.Of(tokens[i]));
        }

        Assert.Contains(tokens, token => kinds.Of(token) == TokenKind.WordStart);
        Assert.Contains(tokens, token => kinds.Of(token) == TokenKind.Other);
        Assert.Equal(TokenKind.Other, kinds.Of(model.Native.BeginningOfSequence!.Value));
    }
}
