// Child process of LookupDecode's model check: `LookupDecode.ModelProbe PATH [options]`.
// Prints one line (ok, refused or nonfinite) and exits 0, 2 or 3; a crash inside llama.cpp ends it by a signal.
return LookupDecode.Models.ModelProbe.RunChild(args);
