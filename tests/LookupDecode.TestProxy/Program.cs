// A YARP reverse proxy in front of LookupDecode.Server replicas, as a deployment would put any load balancer there:
// `LookupDecode.TestProxy --urls http://127.0.0.1:0 --destinations http://127.0.0.1:A,http://127.0.0.1:B`.
// Round robin over the replicas; an active health check on /health every 500 ms takes a dead replica out of rotation.
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

var builder = WebApplication.CreateBuilder(args);
var destinations = (builder.Configuration["destinations"] ?? throw new ArgumentException("--destinations A,B is required"))
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var cluster = new ClusterConfig
{
    ClusterId = "replicas",
    LoadBalancingPolicy = "RoundRobin",
    Destinations = destinations.Select((address, index) => (address, index)).ToDictionary(item => $"replica-{item.index}", item => new DestinationConfig { Address = item.address }),
    HealthCheck = new HealthCheckConfig
    {
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true,
            Interval = TimeSpan.FromMilliseconds(500),
            Timeout = TimeSpan.FromSeconds(2),
            Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
            Path = "/health",
        },
    },
    Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
};
var route = new RouteConfig { RouteId = "all", ClusterId = "replicas", Match = new RouteMatch { Path = "{**rest}" } };
builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
