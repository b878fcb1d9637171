"""Agreement (entity and relation F1) between two independent annotation passes, with every difference listed."""
from pathlib import Path

import typer

from healthkg.agreement import agreement_report, compare_passes
from healthkg.corpus import assemble_article, read_corpus


def main(
    pass_a: Path = typer.Argument(Path("corpus/agreement/pass_a")),
    pass_b: Path = typer.Argument(Path("corpus/agreement/pass_b")),
    output: Path = typer.Option(Path("corpus/agreement/agreement.md")),
):
    a, b = read_corpus(pass_a), read_corpus(pass_b)
    missing = sorted(set(a) ^ set(b))
    if missing:
        typer.echo(f"articles annotated in only one pass (not compared): {missing}", err=True)
    agreement = compare_passes(a, b)
    texts = {k: assemble_article(v).text for k, v in a.items()}
    output.write_text(agreement_report(agreement, texts), encoding="utf-8")
    typer.echo(f"entity F1 {agreement.entities.micro.f1:.3f}, span F1 {agreement.entity_spans.micro.f1:.3f}, "
               f"relation F1 {agreement.relations.micro.f1:.3f}; differences in {output}")


if __name__ == "__main__":
    typer.run(main)
