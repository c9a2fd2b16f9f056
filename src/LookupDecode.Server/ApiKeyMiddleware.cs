using System.Security.Cryptography;
using System.Text;
using LookupDecode.Server.OpenAi;
using Microsoft.Extensions.Options;

namespace LookupDecode.Server;

/// <summary>
/// With <see cref="ServerOptions.ApiKey"/> set, refuses every <c>/v1/*</c> request without
/// <c>Authorization: Bearer KEY</c> (401, compared in constant time). <c>/health</c> and <c>/metrics</c> stay open for
/// probes and scrapers.
/// </summary>
internal sealed class ApiKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly byte[]? _key;

    public ApiKeyMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
    {
        _next = next;
        _key = string.IsNullOrEmpty(options.Value.ApiKey) ? null : Encoding.UTF8.GetBytes(options.Value.ApiKey);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_key is null || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || Authorized(context.Request))
        {
            return _next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiError.Unauthorized().WriteAsync(context.Response);
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _key);
    }
}
