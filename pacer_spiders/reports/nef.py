"""Notices of Electronic Filing: the e-mails of district and bankruptcy CM/ECF (see ``notices``)."""

from pacer_spiders.reports.notices import is_nef, notice_unit

UNIT = notice_unit("nef", is_nef, ("nef", "nef/s3"))
