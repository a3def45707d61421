// Alerting rules. Every alert links to its own section of rules/RUNBOOK.md (anchor = the alert
// name in lower case); every threshold is a key of _config (config.libsonnet).
{
  prometheusAlerts+:: {
    local c = $._config,
    local s = c.akashExporterSelector,
    local alert(name, expr, forDuration, severity, summary, description) = {
      alert: name,
      expr: expr,
      [if forDuration != '' then 'for']: forDuration,
      labels: { severity: severity },
      annotations: {
        summary: summary,
        description: description,
        runbook_url: '%s#%s' % [c.runbookUrl, std.asciiLower(name)],
      },
    },

    groups+: [
      {
        name: 'akash-exporter.alerts',
        rules: [
          alert(
            'AkashExporterDown',
            'up{%(s)s} == 0' % { s: s },
            c.exporterDownFor,
            'critical',
            'akash_exporter is not being scraped.',
            'Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for %s: no Akash metric from it is current.' % c.exporterDownFor,
          ),
          alert(
            'AkashExporterSourceDown',
            'akash_exporter_source_up{%(s)s} == 0' % { s: s },
            c.sourceDownFor,
            'warning',
            'Source {{ $labels.source }} of akash_exporter is failing.',
            'Source {{ $labels.source }} (target "{{ $labels.target }}") on {{ $labels.instance }} has not had a successful poll, or its data is past max_staleness, for %s. Its series are served until max_staleness and then withdrawn.' % c.sourceDownFor,
          ),
          alert(
            'AkashExporterSourceStale',
            |||
              (time() - akash_exporter_source_last_success_timestamp_seconds{%(s)s})
              > on (job, instance, source, target)
              %(f)s * akash_exporter_source_interval_seconds{%(s)s}
            ||| % { s: s, f: c.staleFactor },
            c.staleFor,
            'warning',
            'Data of source {{ $labels.source }} is stale.',
            'The last successful poll of {{ $labels.source }} (target "{{ $labels.target }}") on {{ $labels.instance }} was {{ $value | humanizeDuration }} ago, more than %s poll intervals of that source.' % c.staleFactor,
          ),
          alert(
            'AkashExporterApiKeyRejected',
            |||
              increase(akash_exporter_source_errors_total{%(s)s, reason="auth"}[%(w)s]) > 0
              and on (job, instance, source, target)
              akash_exporter_source_up{%(s)s} == 0
            ||| % { s: s, w: c.authErrorWindow },
            '',
            'critical',
            'An API key of akash_exporter is rejected.',
            'Upstream answered 401/403 to {{ $labels.source }} (target "{{ $labels.target }}") on {{ $labels.instance }}: the configured key is invalid, revoked or for another account. The exporter does not fall back to the public route.',
          ),
        ],
      },
      {
        name: 'akash-provider.alerts',
        rules: [
          alert(
            'AkashProviderEarningsStalled',
            |||
              (
                sum by (job, instance, provider) (increase(akash_provider_earned_akt_total{%(s)s}[%(w)s]))
                + on (job, instance, provider)
                sum by (job, instance, provider) (increase(akash_provider_earned_act_total{%(s)s}[%(w)s]))
              ) == 0
              and on (job, instance, provider)
              sum by (job, instance, provider) (akash_provider_leases_active{%(s)s}) > 0
            ||| % { s: s, w: c.earningsStallWindow },
            c.earningsStallFor,
            'warning',
            'Provider {{ $labels.provider }} earns nothing despite active leases.',
            'Lifetime earnings of {{ $labels.provider }} have not grown for %s while it has active leases.' % c.earningsStallWindow,
          ),
          alert(
            'AkashProviderRevenueDrop',
            |||
              sum by (job, instance, provider) (akash_provider_earnings_usd{%(s)s, window="7d"})
              < on (job, instance, provider)
              %(r)s * sum by (job, instance, provider) (akash_provider_earnings_usd{%(s)s, window="7d"} offset 7d)
              and on (job, instance, provider)
              sum by (job, instance, provider) (akash_provider_earnings_usd{%(s)s, window="7d"} offset 7d) >= %(min)s
            ||| % { s: s, r: c.revenueDropRatio, min: c.revenueDropMinUsd },
            c.revenueDropFor,
            'warning',
            'Revenue of provider {{ $labels.provider }} dropped sharply against the previous week.',
            'The last 7 complete days earned {{ $value | humanize }} USD, less than %s of the 7 days before.' % c.revenueDropRatio,
          ),
          alert(
            'AkashProviderLeasesInsufficientFunds',
            'akash_provider_chain_leases{%(s)s, state="insufficient_funds"} > 0' % { s: s },
            c.insufficientFundsFor,
            'warning',
            'Provider {{ $labels.provider }} has leases in insufficient funds.',
            '{{ $value }} leases of {{ $labels.provider }} are in state insufficient_funds: their tenants stopped paying and the provider works unpaid until they are closed.',
          ),
          alert(
            'AkashProviderEscrowOverdrawn',
            'akash_provider_escrow_overdrawn_leases{%(s)s} > 0' % { s: s },
            c.overdrawnFor,
            'warning',
            'Provider {{ $labels.provider }} has overdrawn escrow payments.',
            '{{ $value }} leases of {{ $labels.provider }} have an overdrawn escrow payment; the debt is akash_provider_escrow_unsettled_*.',
          ),
          alert(
            'AkashProviderEscrowUnwithdrawnHigh',
            'akash_provider:escrow_unwithdrawn_usd{%(s)s} > %(t)s' % { s: s, t: c.escrowUnwithdrawnUsd },
            c.escrowUnwithdrawnFor,
            'info',
            'Provider {{ $labels.provider }} has much earned escrow not withdrawn.',
            '{{ $value | humanize }} USD have accrued to {{ $labels.provider }} in lease escrow without being withdrawn (threshold %s USD).' % c.escrowUnwithdrawnUsd,
          ),
        ],
      },
      {
        name: 'akash-tenant.alerts',
        rules: [
          alert(
            'AkashTenantBalanceRunwayLow',
            'akash_tenant:runway_days{%(s)s} < %(d)s' % { s: s, d: c.runwayDays },
            c.runwayFor,
            'warning',
            'Akash balance of {{ $labels.account }} runs out in {{ $value | humanize }} days.',
            'At the current burn rate the balance and escrow of {{ $labels.account }} last less than %s days. Buy credits or close deployments.' % c.runwayDays,
          ),
          alert(
            'AkashTenantCardPaymentFailed',
            |||
              sum by (job, instance, account) (akash_tenant_credit_transactions{%(s)s, %(f)s})
              > on (job, instance, account)
              (
                sum by (job, instance, account) (akash_tenant_credit_transactions{%(s)s, %(f)s} offset %(w)s)
                or on (job, instance, account)
                sum by (job, instance, account) (akash_tenant_credit_transactions{%(s)s, %(f)s}) * 0
              )
            ||| % { s: s, f: c.failedPaymentSelector, w: c.failedPaymentWindow },
            '',
            'warning',
            'A card payment of {{ $labels.account }} failed.',
            'The number of failed card payments of {{ $labels.account }} grew within the last %s (now {{ $value }}).' % c.failedPaymentWindow,
          ),
        ],
      },
    ],
  },
}
