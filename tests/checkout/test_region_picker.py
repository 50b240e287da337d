"""The cascading region picker: server-rendered five selects, refresh without JavaScript."""

import re

import pytest
from django import forms
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.regions.forms import RegionField
from marketplace.regions.models import Region

UserAddress = get_model("address", "UserAddress")
VILLAGE = "331123102209"
PATH = ["330000000000", "331100000000", "331123000000", "331123102000", VILLAGE]


class PickerForm(forms.Form):
    region = RegionField(label="所在地区")


def selected(html):
    return re.findall(r'<option value="(\d{12})" selected>', html)


def test_picker_renders_the_path_of_the_current_value_within_query_budget(
    db, django_assert_max_num_queries
):
    form = PickerForm(initial={"region": VILLAGE})
    with django_assert_max_num_queries(5):
        html = str(form["region"])

    assert [f'name="region_{i}"' in html for i in range(1, 6)] == [True] * 5
    assert selected(html) == PATH
    assert "浙江省" in html and "湖南省" in html  # every province
    assert "新路湾镇" in html and "妙高街道" in html  # the county's towns
    assert 'name="region_refresh"' in html and "更新地区选项" in html
    assert "regions/picker.js" in html


def test_empty_picker_lists_provinces_only(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        html = str(PickerForm()["region"])
    assert selected(html) == []
    assert html.count("<option") == Region.objects.filter(level=1).count() + 5


def test_stale_lower_choices_are_dropped_after_the_province_changes(db):
    form = PickerForm(data={"region_1": "430000000000", **{f"region_{i}": c for i, c in
                                                           enumerate(PATH[1:], start=2)}})
    html = str(form["region"])
    assert selected(html) == ["430000000000"]
    assert "长沙市" in html


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"region_1": PATH[0], "region_2": PATH[1], "region_3": PATH[2], "region_4": PATH[3]},
         PATH[3]),
        ({f"region_{i}": c for i, c in enumerate(PATH, start=1)}, VILLAGE),
        ({"region": VILLAGE}, VILLAGE),
        ({**{f"region_{i}": c for i, c in enumerate(PATH, start=1)}, "region_4": ""}, None),
    ],
    ids=["town", "village", "plain-code", "gap-ignores-stale-village"],
)
def test_clean_value_is_the_deepest_region(db, data, expected):
    form = PickerForm(data=data)
    if expected is None:
        assert not form.is_valid()
        assert form.errors["region"] == ["请至少选择到乡镇（街道）一级。"]
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["region"].code == expected


def test_required_picker_left_empty_is_a_clear_error(db):
    form = PickerForm(data={f"region_{i}": "" for i in range(1, 6)})
    assert not form.is_valid()
    assert form.errors["region"] == ["请选择所在地区。"]


def test_address_book_refresh_button_rerenders_and_saves_nothing(client, buyer):
    client.force_login(buyer)
    data = {"first_name": "王五", "phone_number": "13812345678", "line1": "1号",
            **{f"region_{i}": c for i, c in enumerate(PATH[:4], start=1)},
            "region_refresh": "1"}

    r = client.post(reverse("customer:address-create"), data)

    assert r.status_code == 200
    html = r.content.decode()
    assert "远路口村委会" in html  # the town's villages are now offered
    assert not UserAddress.objects.filter(user=buyer).exists()

    data.pop("region_refresh")
    r = client.post(reverse("customer:address-create"), {**data, "region_5": VILLAGE})
    assert r.status_code == 302
    address = UserAddress.objects.get(user=buyer)
    assert (address.state, address.line4) == ("浙江省丽水市遂昌县", "新路湾镇远路口村委会")
    assert address.country_id == "CN"
    listing = client.get(reverse("customer:address-list")).content.decode()
    assert "浙江省丽水市遂昌县新路湾镇远路口村委会" in listing


def test_checkout_address_edit_uses_the_picker(client, buyer):
    client.force_login(buyer)
    address = UserAddress.objects.create(
        user=buyer, first_name="张三", line1="村口 1 号", region_id=VILLAGE,
        country_id="CN", phone_number="+8613812345678",
    )
    url = reverse("checkout:user-address-update", kwargs={"pk": address.pk})

    r = client.post(url, {"first_name": "张三", "phone_number": "13812345678",
                          "line1": "村口 1 号", "region_1": "430000000000",
                          "region_refresh": "1"})

    assert r.status_code == 200
    assert "error-block" not in r.content.decode()
    address.refresh_from_db()
    assert address.region_id == VILLAGE
