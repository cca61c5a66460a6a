using System.Globalization;
using Sure.Autodiff;

namespace Sure.Cli.Plots;

/// <summary>What the paper's figures share: each writes itself as SVG, and is saved atomically or returned as text.</summary>
public abstract class SvgFigure
{
    public abstract void WriteTo(TextWriter writer);

    public void Save(string path)
    {
        using var file = new AtomicFile(path);
        WriteTo(file.Text);
        file.Commit();
    }

    public string ToSvg()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }
}
