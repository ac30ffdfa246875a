"""`scan_title`: the fast readings (plain words, a wholly braced title) agree with the scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from genbib.bibtex import titles
from genbib.bibtex.titles import scan_title


def test_examples() -> None:
    assert scan_title("Denoising Diffusion GANs").unprotected == ["GANs"]
    assert scan_title("{Denoising Diffusion GANs}").unprotected == []
    assert scan_title("a: b GAN.").unprotected == ["GAN"]
    assert scan_title("{A} and GANs {B}").unprotected == ["GANs"]
    assert scan_title("snake_case GAN").unescaped == ["_"]


@given(
    st.text(alphabet=st.sampled_from("aZGN3D {}:.,-!?\\$&%#_\t\u00a0é"), max_size=40)
    | st.lists(st.sampled_from(["GAN", "Diffusion", "{GANs}", "3D", "a:", "Transformer"])).map(
        " ".join
    )
)
def test_the_fast_readings_agree_with_the_whole_scan(text: str) -> None:
    """`scan_title` skips the character loop for plain or wholly braced titles."""
    assert scan_title(text) == titles._scan(text)
