using BenchmarkDotNet.Running;
using LookupDecode.Benchmarks.EndToEnd;

// Micro benchmarks:  dotnet run -c Release --project bench/LookupDecode.Benchmarks -- --filter '*'
// End to end:        dotnet run -c Release --project bench/LookupDecode.Benchmarks -- e2e --model M [--upstream-bin DIR]
// Matrix:           dotnet run -c Release --project bench/LookupDecode.Benchmarks -- matrix --model M [--kv f16,q8_0] [--fa auto,on,off] [--depths …]
// Soak:              dotnet run -c Release --project bench/LookupDecode.Benchmarks -- soak --model M [--requests 2000] [--concurrency 16]
// Serve:             dotnet run -c Release --project bench/LookupDecode.Benchmarks -- serve --model M [--concurrency 1,2,4,8,16] [--systems …]
if (args.Length > 0 && args[0] == "e2e")
{
    return EndToEndCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "matrix")
{
    return LookupDecode.Benchmarks.Matrix.MatrixCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "soak")
{
    return await LookupDecode.Benchmarks.Soak.SoakCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "serve")
{
    return await LookupDecode.Benchmarks.Serve.ServeCommand.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
