using BenchmarkDotNet.Running;
using LookupDecode.Benchmarks.EndToEnd;

// Micro benchmarks:  dotnet run -c Release --project bench/LookupDecode.Benchmarks -- --filter '*'
// End to end:        dotnet run -c Release --project bench/LookupDecode.Benchmarks -- e2e --model M [--upstream-bin DIR]
if (args.Length > 0 && args[0] == "e2e")
{
    return EndToEndCommand.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
