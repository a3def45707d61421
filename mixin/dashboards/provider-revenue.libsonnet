local c = import '../lib/common.libsonnet';
local p = import '../lib/panels.libsonnet';

local usd = 'currencyUSD';
local akt = 'suffix: AKT';
local act = 'suffix: ACT';

{
  grafanaDashboards+:: {
    local cfg = $._config,
    local ps = c.ps,
    local named = c.named,
    local byP = 'job, instance, provider',
    local sumP(metric, extra='') = 'sum by (%s) (%s{%s%s})' % [byP, metric, ps, extra],

    // One stat per earnings window: gross and net, USD.
    local windowStat(title, window, description) = p.stat(
      title,
      [
        p.target(named(sumP('akash_provider_earnings_usd', ', window="%s"' % window)), '{{name}} gross'),
        p.target(named(sumP('akash_provider_net_earnings_usd', ', window="%s"' % window)), '{{name}} net'),
      ],
      usd, description, w=4,
    ),
    local inRange(title, cur, unit) = p.stat(
      title,
      [p.target(named('sum by (%s) (increase(akash_provider_earned_%s_total{%s}[$__range]))' % [byP, cur, ps]), '{{name}}')],
      unit,
      'Gross earnings over the dashboard\'s time range, from the lifetime counter (provider_dashboard).',
      w=4,
    ),

    'akash-provider-revenue.json': p.dashboard(
      cfg.dashboardUids.revenue,
      'Akash Provider Revenue',
      'Earnings, leases, resources and escrow of Akash providers, from akash_exporter.',
      cfg.dashboardTags,
      [
        p.row('Earnings (USD, gross and net of the take rate)'),
        p.stat(
          'Today (rolling 24 h)',
          [
            p.target(named('akash_provider:earnings_24h_usd{%s}' % ps), '{{name}} gross'),
            p.target(named('akash_provider:earnings_24h_net_usd{%s}' % ps), '{{name}} net'),
          ],
          usd,
          'A rolling 24 hours ending at the last block the Console has indexed (akash_provider_earnings_last_24h_usd), not the calendar day since 00:00 UTC, which no upstream API answers. Net applies today\'s take rates.',
          w=4,
        ),
        windowStat('Yesterday (last complete UTC day)', '1d', 'The last complete UTC day (provider_earnings, refreshed hourly).'),
        windowStat('Last 7 days', '7d', 'The 7 complete UTC days ending at the earnings window end.'),
        windowStat('Last 30 days', '30d', 'The 30 complete UTC days ending at the earnings window end.'),
        windowStat('Month to date', 'month_to_date', 'Complete UTC days of the current month (0 on the 1st).'),
        p.stat(
          'Projected month',
          [p.target(named('akash_provider:earnings_projected_month_usd{%s}' % ps), '{{name}}')],
          usd,
          'Month to date plus the current run-rate over the hours left until the end of the UTC month.',
          w=4,
        ),

        p.row('Earnings (AKT and ACT)'),
        p.table(
          'Earnings by window',
          [
            p.target(named('sum by (%s, window) (akash_provider_earnings_akt{%s})' % [byP, ps])),
            p.target(named('sum by (%s, window) (akash_provider_net_earnings_akt{%s})' % [byP, ps])),
            p.target(named('sum by (%s, window) (akash_provider_earnings_act{%s})' % [byP, ps])),
            p.target(named('sum by (%s, window) (akash_provider_net_earnings_act{%s})' % [byP, ps])),
          ],
          akt,
          'Gross and net earnings per complete-day window. ACT includes legacy USDC.',
          w=12, h=8,
          columns={ 'Value #A': akt, 'Value #B': akt, 'Value #C': act, 'Value #D': act },
        ),
        p.stat(
          'Today (rolling 24 h), AKT',
          [p.target(named('akash_provider:earnings_24h_akt{%s}' % ps), '{{name}}')],
          akt, 'Rolling 24 h before the last indexed block.', w=6,
        ),
        p.stat(
          'Today (rolling 24 h), ACT',
          [p.target(named('akash_provider:earnings_24h_act{%s}' % ps), '{{name}}')],
          act, 'Rolling 24 h before the last indexed block.', w=6,
        ),
        inRange('In the selected range, AKT', 'akt', akt) { gridPos+: { w: 6 } },
        inRange('In the selected range, ACT', 'act', act) { gridPos+: { w: 6 } },

        p.row('Earnings over time'),
        p.timeseries(
          'Daily earnings (USD)',
          [p.target(named('sum by (%s) (increase(akash_provider_earned_usd_total{%s}[1d]))' % [byP, ps]), '{{name}}', interval='1d')],
          usd,
          'Each bar is the gross earned in the 24 h before it (one bar per UTC day).',
          bars=true, stack=true,
        ),
        p.timeseries(
          'Cumulative earnings (USD, lifetime)',
          [p.target(named(sumP('akash_provider_earned_usd_total')), '{{name}}')],
          usd,
          'Lifetime gross earnings, each day valued at that day\'s AKT price.',
        ),
        inRange('In the selected range, USD', 'usd', usd) { gridPos+: { w: 6 } },
        p.stat(
          'Run-rate (USD per hour)',
          [p.target(named('akash_provider:earnings_usd_per_hour{%s}' % ps), '{{name}}')],
          usd,
          'Price of the active leases on chain per hour (chain_leases), or the last 24 h ÷ 24 without it.',
          w=6,
        ),
        p.stat(
          'Run-rate (AKT per hour)',
          [p.target(named('akash_provider:earnings_akt_per_hour{%s}' % ps), '{{name}}')],
          akt, 'Price of the active AKT leases per hour.', w=6,
        ),
        p.stat(
          'Run-rate (ACT per hour)',
          [p.target(named('akash_provider:earnings_act_per_hour{%s}' % ps), '{{name}}')],
          act, 'Price of the active ACT leases per hour.', w=6,
        ),

        p.row('Leases and resources'),
        p.timeseries(
          'Active leases',
          [p.target(named(sumP('akash_provider_leases_active')), '{{name}}')],
          'none', 'Leases running now (provider_dashboard).', w=8,
        ),
        p.timeseries(
          'Leases by chain state',
          [p.target(named('sum by (%s, state) (akash_provider_chain_leases{%s, state!="closed"})' % [byP, ps]), '{{name}} {{state}}')],
          'none', 'Open leases by their state on chain (chain_leases); closed leases are left out.', w=8, stack=true,
        ),
        p.stat(
          'Leases won in range',
          [p.target(named('sum by (%s) (increase(akash_provider_leases_created_total{%s}[$__range]))' % [byP, ps]), '{{name}}')],
          'none', 'Leases created in the selected range.', w=4, decimals=0,
        ),
        p.stat(
          'Closed leases (lifetime)',
          [p.target(named(sumP('akash_provider_chain_leases', ', state="closed"')), '{{name}}')],
          'none', 'Every lease of the provider ever closed on chain.', w=4, decimals=0,
        ),
        p.timeseries(
          'Leased CPU',
          [p.target(named(sumP('akash_provider_leased_cpu_cores')), '{{name}}')],
          'short', 'vCPUs under active leases.', w=6,
        ),
        p.timeseries(
          'Leased GPUs',
          [p.target(named(sumP('akash_provider_leased_gpus')), '{{name}}')],
          'short', 'GPUs under active leases.', w=6,
        ),
        p.timeseries(
          'Leased memory',
          [p.target(named(sumP('akash_provider_leased_memory_bytes')), '{{name}}')],
          'bytes', 'Memory under active leases.', w=6,
        ),
        p.timeseries(
          'Leased storage',
          [p.target(named('sum by (%s, class) (akash_provider_leased_storage_bytes{%s})' % [byP, ps]), '{{name}} {{class}}')],
          'bytes', 'Ephemeral and persistent storage under active leases.', w=6, stack=true,
        ),
        p.bargauge(
          'Capacity utilisation',
          [p.target(named('akash_provider:capacity_used:ratio{%s}' % ps), '{{name}} {{resource}}', instant=true)],
          'percentunit',
          'Active ÷ (active + pending + available) of the capacity the provider reports (provider_status).',
          w=8, min=0, max=1,
          thresholds=[{ color: 'green', value: null }, { color: 'yellow', value: 0.8 }, { color: 'red', value: 0.95 }],
        ),
        p.bargauge(
          'GPUs leased by model',
          [p.target(c.orZeroPerProvider(named('sum by (%s, vendor, model) (akash_provider_lease_gpus{%s})' % [byP, ps]), 'model'), '{{name}} {{vendor}} {{model}}', instant=true)],
          'none', 'GPUs under active leases by the model the winning bid offered (chain_leases); "none" when no GPU is leased.', w=8,
        ),
        p.bargauge(
          'GPU-hours by model in range',
          [p.target(c.orZeroPerProvider(named('sum by (%s, vendor, model) (increase(akash_provider_gpu_seconds_total{%s}[$__range])) / 3600' % [byP, ps]), 'model'), '{{name}} {{vendor}} {{model}}', instant=true)],
          'h', 'GPU time delivered in the selected range (chain_leases); "none" when no GPU was leased.', w=8,
        ),

        p.row('Escrow'),
        p.stat(
          'Accrued, not withdrawn (USD)',
          [p.target(named('akash_provider:escrow_unwithdrawn_usd{%s}' % ps), '{{name}}')],
          usd, 'Escrow accrued to the provider and not yet withdrawn: AKT at the current price plus ACT.', w=6,
        ),
        p.stat('Not withdrawn, AKT', [p.target(named(sumP('akash_provider_escrow_unwithdrawn_akt')), '{{name}}')], akt, 'Σ balance of open and overdrawn escrow payments.', w=4),
        p.stat('Not withdrawn, ACT', [p.target(named(sumP('akash_provider_escrow_unwithdrawn_act')), '{{name}}')], act, 'Σ balance of open and overdrawn escrow payments.', w=4),
        p.stat(
          'Overdrawn leases',
          [p.target(named(sumP('akash_provider_escrow_overdrawn_leases')), '{{name}}')],
          'none', 'Leases whose escrow payment is overdrawn.', w=4, decimals=0,
          thresholds=[{ color: 'green', value: null }, { color: 'red', value: 1 }],
        ),
        p.stat(
          'Unsettled debt, ACT',
          [p.target(named(sumP('akash_provider_escrow_unsettled_act')), '{{name}}')],
          act, 'Debt of overdrawn payments.', w=3,
        ),
        p.stat(
          'Unsettled debt, AKT',
          [p.target(named(sumP('akash_provider_escrow_unsettled_akt')), '{{name}}')],
          akt, 'Debt of overdrawn payments.', w=3,
        ),

        p.row('Market and data freshness'),
        p.timeseries(
          'AKT price',
          [p.target('max by (job, instance) (akash_akt_price_usd{%s})' % c.js, 'AKT')],
          usd, 'AKT price from the Console market data (market source).', w=8,
        ),
        p.stat(
          'Take rate',
          [p.target('max by (job, instance, denom) (akash_take_rate_ratio{%s})' % c.js, '{{denom}}')],
          'percentunit', 'Take rate in force today per denomination.', w=4,
        ),
        p.stat(
          'Indexer lag',
          [p.target(named('time() - max by (%s) (akash_provider_data_timestamp_seconds{%s})' % [byP, ps]), '{{name}}')],
          's', 'How far the Console\'s indexed block trails now: dashboard figures describe that block.', w=6,
        ),
        p.stat(
          'Earnings windows end',
          [p.target(named('max by (%s) (akash_provider_earnings_window_end_timestamp_seconds{%s}) * 1000' % [byP, ps]), '{{name}}')],
          'dateTimeAsIsoNoDateIfToday', 'Exclusive end of the complete-day windows (00:00 UTC of the first day not included).', w=6,
        ),
      ] + c.freshnessPanels(cfg.providerSources, 'provider'),
      c.variables(cfg, 'provider'),
      cfg,
    ),
  },
}
