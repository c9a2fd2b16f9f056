using Microsoft.AspNetCore.Http;

namespace LookupDecode.Server.OpenAi;

/// <summary>
/// A refusal in OpenAI's error schema (<c>{"error":{"message","type","param","code"}}</c>) with its HTTP status. Thrown
/// anywhere while a request is read or run, written by the endpoint; never seen by clients as a 500.
/// </summary>
internal sealed class ApiError : Exception
{
    private ApiError(int status, string type, string? code, string? param, string message)
        : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    public int Status { get; }

    public string Type { get; }

    public string? Code { get; }

    public string? Param { get; }

    /// <summary>Seconds the client should wait before retrying (429, 503), or null.</summary>
    public int? RetryAfterSeconds { get; private init; }

    public static ApiError BadRequest(string message, string? param = null, string? code = null)
        => new(StatusCodes.Status400BadRequest, "invalid_request_error", code, param, message);

    public static ApiError Unauthorized()
        => new(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key",
            null, "Missing or wrong API key: send the configured key as 'Authorization: Bearer KEY'.");

    public static ApiError NotFound(string message, string? param = null, string? code = null)
        => new(StatusCodes.Status404NotFound, "invalid_request_error", code, param, message);

    public static ApiError MethodNotAllowed(string message)
        => new(StatusCodes.Status405MethodNotAllowed, "invalid_request_error", "method_not_allowed", null, message);

    public static ApiError PayloadTooLarge(long limit)
        => new(StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
            null, $"The request body is larger than this server accepts ({limit} bytes; Server:MaxRequestBodyBytes).");

    public static ApiError Busy(string message, int retryAfterSeconds)
        => new(StatusCodes.Status429TooManyRequests, "rate_limit_exceeded", "rate_limit_exceeded", null, message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiError Unavailable(string message, int retryAfterSeconds)
        => new(StatusCodes.Status503ServiceUnavailable, "server_error", "unavailable", null, message) { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>A client error of the given status (4xx) found by Kestrel while reading the request.</summary>
    public static ApiError FromStatus(int status, string message)
        => new(status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest, "invalid_request_error", null, null, message);

    public static ApiError Internal(string message)
        => new(StatusCodes.Status500InternalServerError, "server_error", null, null, message);

    public ErrorResponse ToResponse() => new(new ErrorBody(Message, Type, Param, Code));

    /// <summary>Writes this error as the whole response (headers not yet sent).</summary>
    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, ToResponse(), OpenAiJson.Default.ErrorResponse, response.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
