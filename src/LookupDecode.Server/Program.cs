using LookupDecode.Server;

// dotnet run --project src/LookupDecode.Server -c Release -- --model PATH [--urls http://127.0.0.1:8080] [--api-key KEY]
return await StartupFailure.RunAsync(args, Console.Error).ConfigureAwait(false);
