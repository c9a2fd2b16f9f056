using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace LookupDecode.Server.OpenAi;

/// <summary>
/// Reads a JSON request body into its typed shape; anything malformed becomes a 400 (or 413 when too big). The body is read
/// as JSON whatever its Content-Type says (curl's <c>-d</c> sends form encoding), as llama-server does.
/// </summary>
internal static class RequestReader
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> shape, long maxBytes)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw ApiError.PayloadTooLarge(maxBytes);
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, shape, request.HttpContext.RequestAborted).ConfigureAwait(false)
                ?? throw ApiError.BadRequest("The body must be a JSON object, was null.");
        }
        catch (JsonException exception)
        {
            var param = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
            var detail = exception.InnerException?.Message ?? FirstSentence(exception.Message);
            throw ApiError.BadRequest(param is null ? $"The body is not valid JSON for this endpoint: {detail}" : $"'{param}' has a wrong type or value: {detail}", param);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw ApiError.PayloadTooLarge(maxBytes);
        }
        catch (BadHttpRequestException exception)
        {
            // A malformed or cut-off body (bad chunking, short of its Content-Length, too slow): the client's fault.
            throw ApiError.FromStatus(exception.StatusCode, $"The request body could not be read: {exception.Message}");
        }
        catch (IOException exception) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some malformed framing as an IOException, not a BadHttpRequestException: a chunk size that
            // overflows (FFFFFFFFFFFFFFFFFF, 80000000) is one.
            throw ApiError.BadRequest($"The request body could not be read: {exception.Message}");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
