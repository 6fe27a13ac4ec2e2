"""Receivables pages, mounted at /receivables/. Every route with an id is walked by tests/test_tenancy_walk.py."""

from django.urls import path

from tabwise.ledger.views import (
    accounts,
    adjustments,
    exports,
    imports,
    payments,
    plans,
    reports,
    sales,
    settings,
    statements,
    vehicle_reports,
)

app_name = "ledger"

urlpatterns = [
    # Accounts
    path("", accounts.account_list, name="account-list"),
    path("accounts/<int:account_id>/", accounts.account_detail, name="account-detail"),
    path("accounts/<int:account_id>/edit/", accounts.account_edit, name="account-edit"),
    path("customers/<int:customer_id>/", accounts.customer_receivables, name="customer-receivables"),
    path("customers/<int:customer_id>/open-account/", accounts.account_open, name="account-open"),
    # Sales
    path("accounts/<int:account_id>/invoices/new/", sales.invoice_create, name="invoice-create"),
    path("sales/line/", sales.invoice_line, name="invoice-line"),
    path("sales/new/", sales.sale_create, name="sale-create"),
    path("customers/<int:customer_id>/invoices/new/", sales.customer_invoice_create, name="customer-invoice-create"),
    path("customers/<int:customer_id>/estimates/new/", sales.estimate_create, name="estimate-create"),
    path("customers/<int:customer_id>/cash-sales/new/", sales.cash_sale_create, name="cash-sale-create"),
    path("documents/<int:invoice_id>/", sales.invoice_detail, name="invoice-detail"),
    path("documents/<int:invoice_id>/convert/", sales.estimate_convert, name="estimate-convert"),
    # Payments and documents
    path("accounts/<int:account_id>/payments/new/", payments.payment_create, name="payment-create"),
    path("accounts/<int:account_id>/payments/preview/", payments.payment_preview, name="payment-preview"),
    path("entries/<int:entry_id>/", payments.entry_detail, name="entry-detail"),
    path("entries/<int:entry_id>/reallocate/", payments.entry_reallocate, name="entry-reallocate"),
    # Adjustments
    path("accounts/<int:account_id>/charges/new/", adjustments.charge_create, name="charge-create"),
    path("accounts/<int:account_id>/credit-notes/new/", adjustments.credit_note_create, name="credit-note-create"),
    path("accounts/<int:account_id>/refunds/new/", adjustments.refund_create, name="refund-create"),
    path("accounts/<int:account_id>/write-offs/new/", adjustments.write_off_create, name="write-off-create"),
    path("entries/<int:entry_id>/reverse/", adjustments.entry_reverse, name="entry-reverse"),
    # Payment plans
    path("accounts/<int:account_id>/plans/new/", plans.plan_create, name="plan-create"),
    path("accounts/<int:account_id>/plans/preview/", plans.plan_preview, name="plan-preview"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:plan_id>/cancel/", plans.plan_cancel, name="plan-cancel"),
    # Reports, statements and settings
    path("reports/aging/", reports.aging_report, name="aging"),
    path("reports/aging/<slug:grouping>/<str:key>/", reports.aging_items, name="aging-items"),
    path("reports/metrics/", reports.metrics_report, name="metrics"),
    path("reports/vehicles/", vehicle_reports.vehicle_analysis, name="vehicle-analysis"),
    path("reports/fleet/", vehicle_reports.fleet_activity, name="fleet-activity"),
    path("statements/", statements.statement_run, name="statements"),
    path("statements/email-all/", statements.statement_run_start, name="statements-email-all"),
    path("customers/<int:customer_id>/statement/", statements.customer_statement, name="customer-statement"),
    path("accounts/<int:account_id>/statement/", statements.account_statement, name="account-statement"),
    path("settings/", settings.ledger_settings_edit, name="settings"),
    # Import from another system; lists as CSV or XLSX
    path("imports/", imports.import_start, name="import-start"),
    path("imports/template/", imports.import_template, name="import-template"),
    path("imports/<int:batch_id>/", imports.import_detail, name="import-detail"),
    path("imports/<int:batch_id>/confirm/", imports.import_confirm, name="import-confirm"),
    path("imports/<int:batch_id>/problems/", imports.import_errors, name="import-errors"),
    path("export/", exports.account_list_export, name="account-list-export"),
    path("accounts/<int:account_id>/open-items/export/", exports.open_items_export, name="open-items-export"),
    path("accounts/<int:account_id>/ledger/export/", exports.ledger_export, name="ledger-export"),
]
