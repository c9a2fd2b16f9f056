using LookupDecode.Fuzz;

// AFL++:   afl-fuzz -i SEEDS -o FINDINGS -- dotnet LookupDecode.Fuzz.dll gguf|cache
// Replay:  dotnet LookupDecode.Fuzz.dll replay gguf|cache FILE_OR_DIRECTORY   (runs inputs without AFL; exit 1 on a crash)
// Semantic: dotnet LookupDecode.Fuzz.dll semantic MODEL ITERATIONS SEED FINDINGS_DIR  (mutated real models; llama.cpp in a child process is the oracle)
// Seeds:   dotnet LookupDecode.Fuzz.dll seeds DIRECTORY                         (writes small valid GGUF seeds)
return Harnesses.Run(args);
