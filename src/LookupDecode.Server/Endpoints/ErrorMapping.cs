using LookupDecode.Decoding;
using LookupDecode.Hosting;
using LookupDecode.Models;
using LookupDecode.Server.OpenAi;
using LookupDecode.Text;

namespace LookupDecode.Server.Endpoints;

/// <summary>Turns what a request run throws into the OpenAI error the client gets: bad input is a 4xx, never a 500.</summary>
internal static class ErrorMapping
{
    public static ApiError From(Exception exception, string promptField, int retryAfterSeconds) => exception switch
    {
        ApiError error => error,
        SessionPoolFullException busy => ApiError.Busy(busy.Message, retryAfterSeconds),
        EngineFullException busy => ApiError.Busy(busy.Message, retryAfterSeconds),
        InvalidOptionException invalid => ApiError.BadRequest(invalid.Message, RequestMapping.FieldOf(invalid.OptionName)),
        UnsupportedTextException unsupported => ApiError.BadRequest(unsupported.Message, promptField, "unsupported_text"),
        PromptTooLongException tooLong => ApiError.BadRequest(tooLong.Message, promptField, "context_length_exceeded"),
        ChatTemplateException template => ApiError.BadRequest(template.Message, promptField, "chat_template"),
        ObjectDisposedException => ApiError.Unavailable("The server is shutting down.", retryAfterSeconds),
        _ => ApiError.Internal("The server failed while generating; see its log."),
    };
}
