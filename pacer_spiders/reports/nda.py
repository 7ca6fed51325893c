"""Notices of Docket Activity: the e-mails of appellate CM/ECF and ACMS (see ``notices``)."""

from pacer_spiders.reports.notices import is_nda, notice_unit

UNIT = notice_unit("nda", is_nda, ("nda",))
