"""manage.py load_regions loads the NBS divisions, villages of the counties named, and
can be run again without duplicates."""

import io

import pytest
from django.core.management import CommandError, call_command

from marketplace.regions.models import Region
from marketplace.regions.selectors import region_children, region_full_name, region_path


def test_base_data_has_the_demo_county_tree(db):
    county = Region.objects.get(pk="331123000000")
    assert county.name == "遂昌县" and county.level == Region.Level.COUNTY
    towns = region_children(parent_code="331123000000")
    assert len(towns) == 20 and all(t.level == Region.Level.TOWN for t in towns)
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert villages.filter(code__startswith="331123").count() == 214
    assert villages.filter(code__startswith="431226").count() == 223


def test_path_and_full_name(db):
    path = region_path(code="331123102209")
    assert [r.name for r in path] == ["浙江省", "丽水市", "遂昌县", "新路湾镇", "远路口村委会"]
    assert region_full_name(code="331123102209") == "浙江省丽水市遂昌县新路湾镇远路口村委会"


def test_command_is_rerunnable_and_loads_a_named_countys_villages(db, tmp_path):
    before = Region.objects.count()
    csv_path = tmp_path / "villages.csv"
    csv_path.write_text(
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '330102001001,"测试社区",330102001,33,3301,330102\n'
        '331123102209,"远路口村委会",331123102,33,3311,331123\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("load_regions", "330102", "--villages", str(csv_path), "--provinces", "33", "43",
                 stdout=out)
    assert "Loaded" in out.getvalue()
    assert Region.objects.get(pk="330102001001").parent_id == "330102001000"
    # only the named county's villages came from the file; nothing was duplicated
    assert Region.objects.count() == before + 1
    call_command("load_regions", "330102", "--villages", str(csv_path), "--provinces", "33", "43",
                 stdout=io.StringIO())
    assert Region.objects.count() == before + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["12345"], "not a 6-digit county code", id="short-county"),
        pytest.param(["abcdef"], "not a 6-digit county code", id="letters"),
        pytest.param(["--villages", "/nonexistent/v.csv"], "no such file", id="missing-file"),
    ],
)
def test_command_rejects_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("load_regions", *args, stdout=io.StringIO())


def test_children_endpoint(client, db):
    data = client.get("/regions/children/", {"parent": "331123000000"}).json()
    assert {"code": "331123102000", "name": "新路湾镇", "level": 4} in data["children"]
    provinces = client.get("/regions/children/").json()["children"]
    assert {p["name"] for p in provinces} >= {"浙江省", "湖南省"}
