from hypothesis import given
from hypothesis import strategies as st

from smartregion.territory import svgmap
from smartregion.territory.names import fold, pick_name


def test_fold_removes_accents_case_and_punctuation():
    assert fold("Braine-l’Alleud") == "braine l alleud"
    assert fold("ÉCAUSSINNES") == "ecaussinnes"
    assert fold("  Sankt   Vith ") == "sankt vith"


def test_pick_name_falls_back_to_french_then_dutch():
    names = {"fr": "La Calamine", "nl": "Kelmis", "de": "", "en": ""}

    assert pick_name(names, "de") == "La Calamine"
    assert pick_name(names, "en") == "La Calamine"
    assert pick_name(names, "nl") == "Kelmis"
    assert pick_name({"fr": "", "nl": "Gent", "de": "Gent"}, "en") == "Gent"


def test_class_breaks_are_quantiles_without_duplicates():
    assert svgmap.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == [2, 4, 6, 8]
    assert svgmap.class_breaks([5, 5, 5, 5], 5) == [5]
    assert svgmap.class_breaks([], 5) == []


def test_class_of_puts_break_values_in_the_lower_class():
    breaks = [2, 4, 6, 8]

    assert [svgmap.class_of(v, breaks) for v in (1, 2, 3, 8, 9)] == [0, 0, 1, 3, 4]


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=300))
def test_class_of_every_value_has_a_class_within_range(values):
    breaks = svgmap.class_breaks(values, 5)

    assert all(0 <= svgmap.class_of(v, breaks) <= len(breaks) for v in values)
    assert breaks == sorted(set(breaks))


def test_path_for_projects_a_square_inside_the_frame():
    square = {"type": "Polygon", "coordinates": [[[4, 50], [5, 50], [5, 51], [4, 51], [4, 50]]]}
    frame = svgmap.fit((4, 50, 5, 51), margin=0)

    path = svgmap.path_for(square, frame)

    assert path.startswith("M0.0 ") and path.endswith("Z")
    assert frame.view_box == f"0 0 1000 {frame.height:.0f}"
    assert svgmap.path_for({"type": "Point", "coordinates": [4, 50]}, frame) == ""
