// Every selector and threshold of the akash_exporter mixin, in one place. Override any key with
//   (import 'mixin.libsonnet') + { _config+:: { runwayDays: 14 } }
// and regenerate (scripts/generate-mixin.sh).
{
  _config+:: {
    // Selects the exporter's scrape job in alerts and recording rules.
    akashExporterSelector: 'job=~".*akash.*exporter.*"',

    // Where rules/RUNBOOK.md is published; each alert links to its own section (#alertname).
    runbookUrl: 'https://github.com/akash-exporter/akash_exporter/blob/main/rules/RUNBOOK.md',

    // Recording-rule group evaluation interval (Prometheus' global one when empty).
    ruleEvaluationInterval: '',

    // --- Alert thresholds -------------------------------------------------------------------
    // `up == 0` for this long.
    exporterDownFor: '5m',
    // akash_exporter_source_up == 0 for this long. A failed poll keeps a source at 0 until its next
    // poll, so this should exceed the shortest interval but the stale alert covers slow sources.
    sourceDownFor: '15m',
    // Data is stale when the last success is older than staleFactor × the source's own
    // akash_exporter_source_interval_seconds. Keep it below max_staleness / interval (3 by default),
    // so the alert fires before the exporter withdraws the source's series.
    staleFactor: 2,
    staleFor: '5m',
    // A rejected key counts in errors_total{reason="auth"}; this window must cover the slowest
    // source's interval (provider_earnings polls hourly).
    authErrorWindow: '2h',
    // Earnings counters flat for this window while leases are active.
    earningsStallWindow: '3h',
    earningsStallFor: '30m',
    // Revenue of the last 7 complete days below this share of the 7 days before.
    revenueDropRatio: 0.5,
    // ... but only when the week before earned at least this much (USD), to keep small providers quiet.
    revenueDropMinUsd: 10,
    revenueDropFor: '1h',
    // Leases in insufficient_funds, overdrawn escrow payments.
    insufficientFundsFor: '30m',
    overdrawnFor: '30m',
    // Accrued, not yet withdrawn escrow (AKT at the current price + ACT), USD.
    escrowUnwithdrawnUsd: 500,
    escrowUnwithdrawnFor: '1h',
    // Tenant balance + escrow lasts fewer days than this at the current burn rate.
    runwayDays: 7,
    runwayFor: '30m',
    // Window in which a new failed card payment fires the alert (it resolves after it).
    failedPaymentWindow: '1h',
    failedPaymentSelector: 'type="payment_intent", status="failed"',

    // --- Sources, by the side they describe (for freshness panels) --------------------------
    providerSources: ['provider_dashboard', 'provider_earnings', 'chain_leases', 'provider_status', 'market'],
    tenantSources: ['tenant_usage', 'tenant_billing', 'market'],

    // --- Dashboards -------------------------------------------------------------------------
    dashboardTags: ['akash', 'akash_exporter'],
    dashboardTimezone: 'utc',
    dashboardRefresh: '1m',
    dashboardFrom: 'now-7d',
    dashboardUids: {
      revenue: 'akash-provider-revenue',
      billing: 'akash-billing-usage',
      health: 'akash-exporter-health',
    },
  },
}
