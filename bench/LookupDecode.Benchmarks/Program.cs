using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/LookupDecode.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
