using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Text;

[Collection(SharedModelsCollection.Name)]
public sealed class TokenizerGuardTests(SharedModels models)
{
    [ModelFact]
    public void Code_prompt_on_a_vocabulary_without_byte_fallback_is_a_typed_error_not_a_crash()
    {
        var model = models.Get(TestModelNames.TinyStories656K);
        var prompt = PromptFile.ReadText(TestPaths.Prompt("code-edit"));

        var error = Assert.Throws<UnsupportedTextException>(() => model.Tokenize(prompt));

        var expectedPosition = prompt.IndexOfAny(['(', ')', '=', '{', '}', '\t', '[', ']', '*', '/', '+', '#']);
        Assert.Equal(expectedPosition, error.Position);
        Assert.Equal(prompt[expectedPosition].ToString(), error.Character);
        Assert.Contains(TestModelNames.TinyStories656K, error.Message, StringComparison.Ordinal);
    }

    [ModelTheory]
    [InlineData("tab\there", 3, "\t")]
    [InlineData("café", 3, "é")]
    [InlineData("emoji 😀 here", 6, "😀")]
    [InlineData("x = {y}", 2, "=")]
    public void First_unencodable_character_is_named_with_its_position(string text, int position, string character)
    {
        var model = models.Get(TestModelNames.TinyStories656K);

        var error = Assert.Throws<UnsupportedTextException>(() => model.Tokenize(text));

        Assert.Equal(position, error.Position);
        Assert.Equal(character, error.Character);
    }

    [ModelFact]
    public void Text_inside_the_alphabet_tokenizes()
    {
        var model = models.Get(TestModelNames.TinyStories656K);

        var tokens = model.Tokenize("Once upon a time, a dog said: \"Hi!\" 123 <|end_story|>\nThe end?");

        Assert.NotEmpty(tokens);
    }

    [ModelFact]
    public void Vocabularies_with_byte_fallback_accept_any_character()
    {
        var model = models.Get(TestModelNames.Stories260K);

        var tokens = model.Tokenize("tab\t café 😀 x = {y}");

        Assert.True(tokens.Length > 5);
    }
}
