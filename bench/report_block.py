"""A generated table kept between its markers in a Markdown file, with the hand-written text around it untouched."""
import argparse
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


def report_main(markdown, file_name, begin, end):
    """The command line a report script shares: `OUT [--report FILE]`; writes OUT/file_name, prints it, and keeps it in FILE's block."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--report")
    args = parser.parse_args()
    table = markdown(args.out)
    with open(os.path.join(args.out, file_name), "w") as f:
        f.write(table + "\n")
    print(table)
    if args.report:
        write_block(args.report, begin, end, table)
