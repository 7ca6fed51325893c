"""The built-in court plugin: registry, court-id quirks both ways, base URLs, document ids."""

import pytest

from pacer_spiders.courts import (
    UnknownCourtError,
    all_courts,
    court_base_url,
    court_id_for_subdomain,
    court_ids_for_pacer_doc_id,
    get_court,
    normalize_pacer_doc_id,
    subdomain_for_court_id,
)


def test_registry_has_every_pacer_court():
    courts = all_courts()
    assert len(courts) == 205
    kinds = {k: len(all_courts(kind=k)) for k in ("district", "bankruptcy", "appellate", "special")}
    assert kinds == {"district": 94, "bankruptcy": 94, "appellate": 15, "special": 2}


@pytest.mark.parametrize(
    "subdomain,court_id", [("azb", "arb"), ("cofc", "uscfc"), ("neb", "nebraskab"), ("nysb-mega", "nysb"), ("cand", "cand")]
)
def test_subdomain_to_court_id(subdomain, court_id):
    assert court_id_for_subdomain(subdomain) == court_id
    assert get_court(subdomain).court_id == court_id


@pytest.mark.parametrize(
    "court_id,subdomain", [("arb", "azb"), ("uscfc", "cofc"), ("nebraskab", "neb"), ("nysb", "nysb"), ("okwd", "okwd")]
)
def test_court_id_to_subdomain(court_id, subdomain):
    assert subdomain_for_court_id(court_id) == subdomain
    assert get_court(court_id).pacer_subdomain == subdomain


def test_base_url_uses_the_pacer_subdomain_and_the_template():
    assert court_base_url("arb") == "https://ecf.azb.uscourts.gov"
    assert court_base_url("nebraskab") == "https://ecf.neb.uscourts.gov"
    sandbox = "http://127.0.0.1:8123/{subdomain}/"
    assert court_base_url("arb", sandbox) == "http://127.0.0.1:8123/azb"


@pytest.mark.parametrize(
    "raw,stored", [("035112345678", "035012345678"), ("035012345678", "035012345678"), ("14711234567", "14701234567")]
)
def test_doc_id_fourth_digit_is_normalized(raw, stored):
    assert normalize_pacer_doc_id(raw) == stored


def test_an_acms_guid_is_stored_as_it_is_even_when_it_begins_with_four_digits():
    assert normalize_pacer_doc_id("0199c58d-9e5c-ee11-a81c-001dd80ad0b3", "ca9") == "0199c58d-9e5c-ee11-a81c-001dd80ad0b3"


def test_doc_id_none_and_empty_pass_through():
    assert normalize_pacer_doc_id(None) is None
    assert normalize_pacer_doc_id("") == ""


def test_court_of_a_doc_id_from_its_prefix():
    cand = get_court("cand")
    assert court_ids_for_pacer_doc_id(cand.doc_id_prefix + "123456789") == ["cand"]
    assert court_ids_for_pacer_doc_id("024112345678") == ["arb"]
    assert sorted(court_ids_for_pacer_doc_id("012012345678")) == ["cadc", "cavc"]
    assert court_ids_for_pacer_doc_id("999000000000") == []


def test_unknown_court_names_the_closest_ids():
    with pytest.raises(UnknownCourtError) as info:
        get_court("okwdd")
    message = str(info.value)
    assert "'okwdd'" in message and "okwd" in message
    assert "\n" not in message


def test_a_court_plugin_registered_or_unregistered_changes_the_courts_at_once():
    from pacer_spiders.hookspecs import hookimpl
    from pacer_spiders.plugin_manager import get_plugin_manager

    class ExtraCourt:
        @hookimpl
        def pacer_courts(self):
            return [{"court_id": "zzdx", "name": "A court of a plugin", "kind": "district"}]

    assert len(all_courts()) == 205  # the registry is built and kept
    with pytest.raises(UnknownCourtError):
        get_court("zzdx")
    plugin = ExtraCourt()
    get_plugin_manager().register(plugin)
    try:
        assert get_court("zzdx").name == "A court of a plugin" and len(all_courts()) == 206
    finally:
        get_plugin_manager().unregister(plugin)
    with pytest.raises(UnknownCourtError):
        get_court("zzdx")
    assert len(all_courts()) == 205


def test_a_subdomain_plugin_registered_after_a_lookup_changes_the_answer_at_once():
    """The court of a subdomain is remembered (every page's court check asks it), until the set of
    plugins changes."""
    from pacer_spiders.hookspecs import hookimpl
    from pacer_spiders.plugin_manager import get_plugin_manager

    class RenamedSite:
        @hookimpl
        def court_id_for_subdomain(self, subdomain):
            return "azb" if subdomain == "zzb-new" else None

    assert court_id_for_subdomain("zzb-new") == "zzb-new"
    assert court_id_for_subdomain(" AZB ") == "arb"
    plugin = RenamedSite()
    get_plugin_manager().register(plugin)
    try:
        assert court_id_for_subdomain("zzb-new") == "azb"
        assert court_id_for_subdomain(" AZB ") == "arb"  # the other subdomains still the registry's
    finally:
        get_plugin_manager().unregister(plugin)
    assert court_id_for_subdomain("zzb-new") == "zzb-new"
