// Recording rules: the joins and figures the dashboards and alerts would otherwise compute on
// every refresh. Self-metrics label the polled address `target`; business metrics label it
// `provider` or `account`. The one place that maps between them (and to provider names) is the
// first group below; everything else joins against its output.
local providerSources = 'provider_dashboard|provider_earnings|chain_leases|provider_status';
local tenantSources = 'tenant_usage|tenant_billing';

{
  prometheusRules+:: {
    local c = $._config,
    local s = c.akashExporterSelector,
    local byP = 'job, instance, provider',
    local byA = 'job, instance, account',
    local interval = if c.ruleEvaluationInterval == '' then {} else { interval: c.ruleEvaluationInterval },

    groups+: [
      {
        name: 'akash-exporter.names',
        rules: [
          {
            // One series per watched provider: its name from provider_status, else the address
            // itself, so that legends keep working while provider_status is down.
            record: 'akash:provider_name:info',
            expr: |||
              group by (job, instance, provider, name) (akash_provider_info{%(s)s, name!=""})
              or on (job, instance, provider)
              group by (job, instance, provider, name) (
                label_replace(
                  label_replace(akash_exporter_source_up{%(s)s, source=~"%(ps)s"}, "provider", "$1", "target", "(.+)"),
                  "name", "$1", "target", "(.+)"
                )
              )
            ||| % { s: s, ps: providerSources },
          },
          {
            // Every watched account, from the tenant sources' self-metrics (always present).
            record: 'akash:account:info',
            expr: |||
              group by (job, instance, account) (
                label_replace(akash_exporter_source_up{%(s)s, source=~"%(ts)s"}, "account", "$1", "target", "(.+)")
              )
            ||| % { s: s, ts: tenantSources },
          },
          {
            // target → display name for self-metrics: provider name, else the address, else
            // "(global)" for sources without a target (market).
            record: 'akash_exporter:target_name:info',
            expr: |||
              group by (job, instance, target, name) (
                label_replace(akash:provider_name:info, "target", "$1", "provider", "(.+)")
              )
              or on (job, instance, target)
              group by (job, instance, target, name) (
                label_replace(
                  label_replace(akash_exporter_source_up{%(s)s}, "name", "$1", "target", "(.+)"),
                  "name", "(global)", "target", ""
                )
              )
            ||| % { s: s },
          },
          {
            record: 'akash_exporter:source_up:named',
            expr: |||
              akash_exporter_source_up{%(s)s}
              * on (job, instance, target) group_left (name) akash_exporter:target_name:info
            ||| % { s: s },
          },
          {
            record: 'akash_exporter:source_age_seconds',
            expr: |||
              (time() - akash_exporter_source_last_success_timestamp_seconds{%(s)s})
              * on (job, instance, target) group_left (name) akash_exporter:target_name:info
            ||| % { s: s },
          },
          {
            // Age of the last success in units of the source's own poll interval: 1 is on time
            // for every source, whether it polls every minute or every hour.
            record: 'akash_exporter:source_staleness:ratio',
            expr: |||
              akash_exporter:source_age_seconds
              / on (job, instance, source, target) group_left () akash_exporter_source_interval_seconds{%(s)s}
            ||| % { s: s },
          },
        ],
      } + interval,
      {
        name: 'akash-provider.rules',
        rules: [
          {
            record: 'akash_provider:earned_%s:increase1d' % cur,
            expr: 'sum by (%(by)s) (increase(akash_provider_earned_%(cur)s_total{%(s)s}[1d]))' % { by: byP, cur: cur, s: s },
          }
          for cur in ['usd', 'akt', 'act']
        ] + [
          {
            // "Today": the rolling 24 h before the last indexed block (provider_dashboard), or,
            // while that gauge is missing, the counter's increase over the last day.
            record: 'akash_provider:earnings_24h_%s' % cur,
            expr: |||
              sum by (%(by)s) (akash_provider_earnings_last_24h_%(cur)s{%(s)s})
              or on (%(by)s)
              akash_provider:earned_%(cur)s:increase1d
            ||| % { by: byP, cur: cur, s: s },
          }
          for cur in ['usd', 'akt', 'act']
        ] + [
          {
            // Net = usd − (usd − act)·rate_akt − act·rate_act, at today's take rates.
            record: 'akash_provider:earnings_24h_net_usd',
            expr: |||
              akash_provider:earnings_24h_usd
              - (akash_provider:earnings_24h_usd - akash_provider:earnings_24h_act)
                * on (job, instance) group_left () max by (job, instance) (akash_take_rate_ratio{%(s)s, denom="akt"})
              - akash_provider:earnings_24h_act
                * on (job, instance) group_left () max by (job, instance) (akash_take_rate_ratio{%(s)s, denom="act"})
            ||| % { s: s },
          },
        ] + [
          {
            // Run-rate: the price of the active leases on chain; without chain_leases, the last
            // 24 h spread over the hour.
            record: 'akash_provider:earnings_%s_per_hour' % cur,
            expr: |||
              sum by (%(by)s) (akash_provider_lease_rate_%(cur)s_per_hour{%(s)s})
              or on (%(by)s)
              akash_provider:earnings_24h_%(cur)s / 24
            ||| % { by: byP, cur: cur, s: s },
          }
          for cur in ['usd', 'akt', 'act']
        ] + [
          {
            // Complete days of this month + the run-rate over the hours from the earnings
            // window's end to the end of the UTC month.
            record: 'akash_provider:earnings_projected_month_usd',
            expr: |||
              sum by (%(by)s) (akash_provider_earnings_usd{%(s)s, window="month_to_date"})
              + on (%(by)s)
              akash_provider:earnings_usd_per_hour
              * on (%(by)s)
              (
                (
                  scalar(vector(time()) - vector(time()) %% 86400 + (days_in_month() - day_of_month() + 1) * 86400)
                  - max by (%(by)s) (akash_provider_earnings_window_end_timestamp_seconds{%(s)s})
                ) / 3600
              )
            ||| % { by: byP, s: s },
          },
          {
            record: 'akash_provider:escrow_unwithdrawn_usd',
            expr: |||
              sum by (%(by)s) (akash_provider_escrow_unwithdrawn_akt{%(s)s})
              * on (job, instance) group_left () max by (job, instance) (akash_akt_price_usd{%(s)s})
              + on (%(by)s)
              sum by (%(by)s) (akash_provider_escrow_unwithdrawn_act{%(s)s})
            ||| % { by: byP, s: s },
          },
        ] + [
          {
            // Share of the provider's reported capacity held by active leases.
            record: 'akash_provider:capacity_used:ratio',
            labels: { resource: r.resource },
            expr: |||
              sum by (%(by)s) (%(m)s{%(s)s, state="active"})
              / sum by (%(by)s) (%(m)s{%(s)s})
            ||| % { by: byP, m: r.metric, s: s },
          }
          for r in [
            { resource: 'cpu', metric: 'akash_provider_capacity_cpu_cores' },
            { resource: 'gpu', metric: 'akash_provider_capacity_gpus' },
            { resource: 'memory', metric: 'akash_provider_capacity_memory_bytes' },
            { resource: 'storage', metric: 'akash_provider_capacity_storage_bytes' },
          ]
        ],
      } + interval,
      {
        name: 'akash-tenant.rules',
        rules: [
          {
            record: 'akash_tenant:spent_usd:increase1d',
            expr: 'sum by (%(by)s) (increase(akash_tenant_spent_usd_total{%(s)s}[1d]))' % { by: byA, s: s },
          },
          {
            // Burn rate: the active leases' price (USD ≈ ACT), else the spend of the last day.
            record: 'akash_tenant:burn_usd_per_day',
            expr: |||
              sum by (%(by)s) (akash_tenant_lease_rate_usd_per_hour{%(s)s}) * 24
              or on (%(by)s)
              akash_tenant:spent_usd:increase1d
            ||| % { by: byA, s: s },
          },
          {
            // Days the balance and the deployments' escrow last at the current burn rate
            // (+Inf when nothing burns).
            record: 'akash_tenant:runway_days',
            expr: |||
              (
                sum by (%(by)s) (akash_tenant_balance_act{%(s)s})
                + on (%(by)s)
                sum by (%(by)s) (akash_tenant_escrow_act{%(s)s})
              )
              / on (%(by)s) akash_tenant:burn_usd_per_day
            ||| % { by: byA, s: s },
          },
        ],
      } + interval,
    ],
  },
}
