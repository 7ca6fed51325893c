"""Notices of Electronic Filing: the e-mails of district and bankruptcy CM/ECF (see ``notices``)."""

from pacer_spiders.reports.notices import is_nef, notice_unit

# PACER's login page (``authentication_samples``) is what a free-look link shows once it is spent:
# refused, as by every report.
UNIT = notice_unit("nef", is_nef, ("nef", "nef/s3", "authentication_samples"))
