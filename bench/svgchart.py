"""A small-multiples bar chart in plain SVG: one panel per measurement, one bar per
configuration, each panel on its own scale. When no cache is far slower than every cache, its
bar is cut short (marked with a break) so that the caches stay comparable; its label keeps the
true value."""

from xml.sax.saxutils import escape

COLORS = {"nocache": "#9e9e9e", "ddcc": "#1b7837", "ccache": "#2166ac", "sccache": "#d6604d"}
PANEL_W, PANEL_H, COLUMNS = 232, 210, 4
TOP, BAR_TOP, BAR_BOTTOM = 64, 56, 166


def text(x, y, content, size=11, anchor="middle", weight="normal", fill="#222"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(content)}</text>')


def scale_top(values):
    """The value at the top of a panel's scale, and whether the no-cache bar is cut."""
    cached = [v for tool, v in values if tool != "nocache"]
    everything = [v for _, v in values]
    if cached and max(everything) > 1.6 * max(cached):
        return max(cached) * 1.35, True
    return max(everything) * 1.12 or 1.0, False


def bar(x, width, value, top, tool, label):
    height = min(value, top) / top * (BAR_BOTTOM - BAR_TOP)
    y = BAR_BOTTOM - height
    parts = [f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
             f'fill="{COLORS[tool]}"><title>{escape(tool)}: {escape(label)}</title></rect>']
    if value > top:
        for dy in (8, 13):
            parts.append(f'<line x1="{x - 2:.1f}" y1="{y + dy + 3:.1f}" x2="{x + width + 2:.1f}" '
                         f'y2="{y + dy - 3:.1f}" stroke="white" stroke-width="2.5"/>')
    parts.append(text(x + width / 2, y - 4, label, size=10))
    return parts


def panel(index, title, values, fmt):
    """values: [(tool, value)] in display order; fmt turns a value into its label. Under each
    bar but ccache's: its ratio to ccache."""
    x0 = (index % COLUMNS) * PANEL_W
    y0 = TOP + (index // COLUMNS) * PANEL_H
    parts = [f'<g transform="translate({x0},{y0})">',
             f'<rect x="4" y="4" width="{PANEL_W - 8}" height="{PANEL_H - 8}" fill="#fafafa" '
             'stroke="#ddd"/>']
    for k, line in enumerate(title.split("\n")):
        parts.append(text(PANEL_W / 2, 20 + 13 * k, line, size=11, weight="bold"))
    top, _ = scale_top(values)
    base = dict(values).get("ccache")
    slot = (PANEL_W - 30) / max(len(values), 1)
    for k, (tool, value) in enumerate(values):
        x = 15 + k * slot + slot * 0.15
        parts += bar(x, slot * 0.7, value, top, tool, fmt(value))
        parts.append(text(x + slot * 0.35, BAR_BOTTOM + 14, short(tool), size=10, fill="#555"))
        if base and tool != "ccache":
            parts.append(text(x + slot * 0.35, BAR_BOTTOM + 27, f"×{value / base:.2f}", size=10,
                              fill="#555"))
    parts.append(f'<line x1="12" y1="{BAR_BOTTOM}" x2="{PANEL_W - 12}" y2="{BAR_BOTTOM}" '
                 'stroke="#888"/>')
    parts.append("</g>")
    return parts


def short(tool):
    return "none" if tool == "nocache" else tool


def legend(tools, width):
    parts = []
    x = 12
    for tool in tools:
        parts.append(f'<rect x="{x}" y="44" width="12" height="12" fill="{COLORS[tool]}"/>')
        label = "no cache" if tool == "nocache" else tool
        parts.append(text(x + 17, 54, label, size=12, anchor="start"))
        x += 30 + 8 * len(label)
    parts.append(text(width - 10, 54, "medians; lower is better; ×: ratio to ccache; "
                      "a white break marks a cut bar", size=11, anchor="end", fill="#555"))
    return parts


def chart(title, panels, tools):
    """panels: [(title, [(tool, value)], fmt)]. Returns the SVG document as a string."""
    rows = (len(panels) + COLUMNS - 1) // COLUMNS
    width, height = PANEL_W * COLUMNS, TOP + rows * PANEL_H + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             text(12, 26, title, size=16, anchor="start", weight="bold")]
    parts += legend(tools, width)
    for index, (panel_title, values, fmt) in enumerate(panels):
        parts += panel(index, panel_title, values, fmt)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
