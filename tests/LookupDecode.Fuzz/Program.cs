using LookupDecode.Fuzz;

// AFL++:   afl-fuzz -i SEEDS -o FINDINGS -- dotnet LookupDecode.Fuzz.dll gguf|cache|suffix-memory|record|trace
// Replay:  dotnet LookupDecode.Fuzz.dll replay gguf|cache FILE_OR_DIRECTORY   (runs inputs without AFL; exit 1 on a crash)
// Semantic: dotnet LookupDecode.Fuzz.dll semantic MODEL ITERATIONS SEED FINDINGS_DIR  (mutated real models; llama.cpp in a child process is the oracle)
// Formats: dotnet LookupDecode.Fuzz.dll formats suffix-memory|record|trace ITERATIONS SEED FINDINGS_DIR  (structure-aware, in process)
// Seeds:   dotnet LookupDecode.Fuzz.dll seeds DIRECTORY                         (writes small valid GGUF seeds)
return Harnesses.Run(args);
