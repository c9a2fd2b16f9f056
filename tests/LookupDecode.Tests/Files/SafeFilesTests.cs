using LookupDecode.Files;
using LookupDecode.Models;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;
using LookupDecode.Text;
using Mono.Unix.Native;

namespace LookupDecode.Tests.Files;

/// <summary>
/// Paths that are not regular files: a FIFO would block <c>open()</c> forever, a device or pipe cannot seek, and a save
/// must never replace a device or a symbolic link, nor write over one of its own inputs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SafeFilesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Fifo()
    {
        var path = _temp.File($"fifo-{Guid.NewGuid():N}");
        Assert.Equal(0, Syscall.mkfifo(path, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        return path;
    }

    [Fact]
    public void Kinds_are_told_apart_through_symbolic_links()
    {
        var file = _temp.File("regular");
        File.WriteAllText(file, "x");
        var link = _temp.File("link");
        File.CreateSymbolicLink(link, file);

        Assert.Equal(FileKind.Regular, SafeFiles.KindOf(file));
        Assert.Equal(FileKind.Regular, SafeFiles.KindOf(link));
        Assert.Equal(FileKind.Directory, SafeFiles.KindOf(_temp.Path));
        Assert.Equal(FileKind.Fifo, SafeFiles.KindOf(Fifo()));
        Assert.Equal(FileKind.CharacterDevice, SafeFiles.KindOf("/dev/null"));
        Assert.Equal(FileKind.Missing, SafeFiles.KindOf(_temp.File("absent")));
    }

    [Fact]
    public void A_fifo_as_model_is_refused_without_opening_it()
    {
        var error = Assert.Throws<ModelLoadException>(() => LlamaModel.Load(Fifo()));

        Assert.Contains("FIFO", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_as_model_is_refused()
    {
        var error = Assert.Throws<ModelLoadException>(() => LlamaModel.Load("/dev/zero"));

        Assert.Contains("character device", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_or_device_as_cache_or_prompt_file_is_refused()
    {
        Assert.Throws<UnsafeFileException>(() => NgramCache.Load(Fifo()));
        Assert.Throws<UnsafeFileException>(() => NgramCache.Load("/dev/null"));
        Assert.Throws<UnsafeFileException>(() => PromptFile.ReadText(Fifo()));
        Assert.Throws<UnsafeFileException>(() => PromptFile.ReadText("/dev/zero"));
    }

    [Fact]
    public void Saving_over_a_device_or_fifo_is_refused_and_replaces_nothing()
    {
        var cache = new NgramCache();
        cache.Update([1, 2, 3], 3);
        var fifo = Fifo();

        Assert.Throws<UnsafeFileException>(() => cache.Save("/dev/null"));
        Assert.Throws<UnsafeFileException>(() => cache.Save(fifo));

        Assert.Equal(FileKind.CharacterDevice, SafeFiles.KindOf("/dev/null"));
        Assert.Equal(FileKind.Fifo, SafeFiles.KindOf(fifo));
    }

    [Fact]
    public void Saving_through_a_symbolic_link_updates_its_target_and_keeps_the_link()
    {
        var target = _temp.File("target.bin");
        File.WriteAllBytes(target, []);
        var link = _temp.File("link.bin");
        File.CreateSymbolicLink(link, target);
        var cache = new NgramCache();
        cache.Update([1, 2, 3], 3);

        cache.Save(link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(NgramCache.Load(target).ContentEquals(cache));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void An_output_that_is_an_input_is_refused_however_it_is_named()
    {
        var input = _temp.File("input.txt");
        File.WriteAllText(input, "precious");
        var link = _temp.File("alias.txt");
        File.CreateSymbolicLink(link, input);
        var hardLink = _temp.File("hard.txt");
        Assert.Equal(0, Syscall.link(input, hardLink));

        Assert.Throws<UnsafeFileException>(() => SafeFiles.RequireDistinct(input, "--out", input));
        Assert.Throws<UnsafeFileException>(() => SafeFiles.RequireDistinct(link, "--out", input));
        Assert.Throws<UnsafeFileException>(() => SafeFiles.RequireDistinct(hardLink, "--out", input));
        Assert.Throws<UnsafeFileException>(() => SafeFiles.RequireDistinct(Path.Combine(_temp.Path, ".", "input.txt"), "--out", input));
        SafeFiles.RequireDistinct(_temp.File("other.txt"), "--out", input);
        Assert.Equal("precious", File.ReadAllText(input));
    }

    [Fact]
    public void A_rewritten_file_keeps_its_permissions_and_long_names_still_save()
    {
        var path = _temp.File("private.bin");
        var cache = new NgramCache();
        cache.Update([1, 2, 3], 3);
        cache.Save(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        cache.Save(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var longName = _temp.File(new string('n', 240) + ".bin");
        cache.Save(longName);
        Assert.True(NgramCache.Load(longName).ContentEquals(cache));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void Opening_for_reading_checks_the_opened_file_itself()
    {
        var path = _temp.File("plain.txt");
        File.WriteAllText(path, "abc");

        using (var stream = SafeFiles.OpenRead(path, "input"))
        {
            Assert.Equal(3, stream.Length);
        }

        Assert.Throws<UnsafeFileException>(() => SafeFiles.OpenRead(Fifo(), "input"));
        Assert.Throws<UnsafeFileException>(() => SafeFiles.OpenRead("/dev/zero", "input"));
        Assert.Throws<FileNotFoundException>(() => SafeFiles.OpenRead(_temp.File("absent"), "input"));
    }
}
