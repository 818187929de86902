"""A generated table kept between its markers in a Markdown file, with the hand-written text around it untouched."""
import os


def write_block(path, begin, end, table):
    """Replaces the block from `begin` to `end` with the table between them, or appends the block when the file has none."""
    text = open(path).read() if os.path.exists(path) else ""
    block = f"{begin}\n{table}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)
