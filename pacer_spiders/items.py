"""Items: the raw page a spider yields, and what the parse pipeline makes of it.

Field names are the de-facto standard ones (juriscraper / CourtListener), see DESIGN.md.
"""

from __future__ import annotations

import scrapy


class RawPage(scrapy.Item):
    """One page fetched from PACER, unparsed: spiders yield these and pipelines do the rest."""

    court_id = scrapy.Field()
    report_type = scrapy.Field()  # docket, attachment_page, pdf, receipt, history, case_query, possible_case_numbers, rss
    url = scrapy.Field()
    status = scrapy.Field()
    body = scrapy.Field()  # bytes, exactly as PACER sent them
    content_type = scrapy.Field()
    context = scrapy.Field()  # what was asked: pacer_case_id, docket_number, pacer_doc_id, options
    receipt = scrapy.Field()  # the parsed transaction receipt when the page was billed
    cost = scrapy.Field()  # dollars billed for this page (from its receipt), 0.0 when free
    fetched_at = scrapy.Field()  # ISO 8601 UTC
    account = scrapy.Field()  # which configured account fetched it (its index, never a credential)
    # Filled by pipelines:
    sha1 = scrapy.Field()
    source_path = scrapy.Field()
    parsed = scrapy.Field()
    problem = scrapy.Field()  # a PageProblem when the page is not what was asked for
    docket_id = scrapy.Field()  # the archive's docket this page was merged into
    document = scrapy.Field()  # for a PDF: the archive's document row it belongs to
    orphan_id = scrapy.Field()  # set when the page waits in the orphan table


class Attorney(scrapy.Item):
    name = scrapy.Field()
    contact = scrapy.Field()
    roles = scrapy.Field()


class Party(scrapy.Item):
    name = scrapy.Field()
    type = scrapy.Field()
    extra_info = scrapy.Field()
    date_terminated = scrapy.Field()
    attorneys = scrapy.Field()
    criminal_data = scrapy.Field()


class Document(scrapy.Item):
    """A main document (attachment_number None) or one of its attachments."""

    court_id = scrapy.Field()
    pacer_case_id = scrapy.Field()
    pacer_doc_id = scrapy.Field()
    pacer_seq_no = scrapy.Field()
    document_number = scrapy.Field()
    attachment_number = scrapy.Field()
    description = scrapy.Field()
    page_count = scrapy.Field()
    file_size_bytes = scrapy.Field()
    file_size_str = scrapy.Field()
    is_sealed = scrapy.Field()
    sha1 = scrapy.Field()
    filepath = scrapy.Field()


class DocketEntry(scrapy.Item):
    date_filed = scrapy.Field()
    date_entered = scrapy.Field()
    document_number = scrapy.Field()
    pacer_doc_id = scrapy.Field()
    pacer_seq_no = scrapy.Field()
    description = scrapy.Field()
    short_description = scrapy.Field()
    attachments = scrapy.Field()


class Docket(scrapy.Item):
    court_id = scrapy.Field()
    pacer_case_id = scrapy.Field()
    docket_number = scrapy.Field()
    case_name = scrapy.Field()
    date_filed = scrapy.Field()
    date_terminated = scrapy.Field()
    date_converted = scrapy.Field()
    date_discharged = scrapy.Field()
    date_last_filing = scrapy.Field()
    assigned_to_str = scrapy.Field()
    referred_to_str = scrapy.Field()
    cause = scrapy.Field()
    nature_of_suit = scrapy.Field()
    jury_demand = scrapy.Field()
    demand = scrapy.Field()
    jurisdiction = scrapy.Field()
    mdl_status = scrapy.Field()
    ordered_by = scrapy.Field()
    federal_dn_case_type = scrapy.Field()
    federal_dn_office_code = scrapy.Field()
    federal_dn_judge_initials_assigned = scrapy.Field()
    federal_dn_judge_initials_referred = scrapy.Field()
    federal_defendant_number = scrapy.Field()
    parties = scrapy.Field()
    docket_entries = scrapy.Field()


class AttachmentPage(scrapy.Item):
    court_id = scrapy.Field()
    pacer_case_id = scrapy.Field()
    pacer_doc_id = scrapy.Field()
    pacer_seq_no = scrapy.Field()
    document_number = scrapy.Field()
    page_count = scrapy.Field()
    file_size_bytes = scrapy.Field()
    file_size_str = scrapy.Field()
    attachments = scrapy.Field()


class Receipt(scrapy.Item):
    """A PACER transaction receipt or a document's purchase confirmation page."""

    transaction_date = scrapy.Field()
    billable_pages = scrapy.Field()
    cost = scrapy.Field()
    document_description = scrapy.Field()
    docket_number = scrapy.Field()
    document_number = scrapy.Field()
    search_criteria = scrapy.Field()
    client_code = scrapy.Field()
