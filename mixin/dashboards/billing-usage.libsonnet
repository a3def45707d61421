local c = import '../lib/common.libsonnet';
local p = import '../lib/panels.libsonnet';

local usd = 'currencyUSD';
local akt = 'suffix: AKT';
local act = 'suffix: ACT';

{
  grafanaDashboards+:: {
    local cfg = $._config,
    local as = c.as,
    local byA = 'job, instance, account',
    local sumA(metric, extra='') = 'sum by (%s) (%s{%s%s})' % [byA, metric, as, extra],
    local byAP = 'job, instance, account, provider',

    'akash-billing-usage.json': p.dashboard(
      cfg.dashboardUids.billing,
      'Akash Billing & Usage',
      'Spend, balance, runway and credit purchases of Akash tenant accounts, from akash_exporter.',
      cfg.dashboardTags,
      [
        p.row('Spend'),
        p.timeseries(
          'Spend per day (USD)',
          [p.target('sum by (%s) (increase(akash_tenant_spent_usd_total{%s}[1d]))' % [byA, as], '{{account}}', interval='1d')],
          usd, 'Each bar is the spend accrued in the 24 h before it (tenant_usage).', bars=true, stack=true,
        ),
        p.timeseries(
          'Cumulative spend (USD, lifetime)',
          [p.target(sumA('akash_tenant_spent_usd_total'), '{{account}}')],
          usd, 'Lifetime accrued spend, today\'s partial day included.',
        ),
        p.stat(
          'Spent in range (USD)',
          [p.target('sum by (%s) (increase(akash_tenant_spent_usd_total{%s}[$__range]))' % [byA, as], '{{account}}')],
          usd, 'Spend over the dashboard\'s time range.', w=4,
        ),
        p.stat(
          'Spent in range (AKT)',
          [p.target('sum by (%s) (increase(akash_tenant_spent_akt_total{%s}[$__range]))' % [byA, as], '{{account}}')],
          akt, 'Spend in AKT over the dashboard\'s time range.', w=4,
        ),
        p.stat(
          'Spent in range (ACT)',
          [p.target('sum by (%s) (increase(akash_tenant_spent_act_total{%s}[$__range]))' % [byA, as], '{{account}}')],
          act, 'Spend in ACT (and legacy USDC) over the dashboard\'s time range.', w=4,
        ),
        p.stat(
          'Burn rate (USD per day)',
          [p.target('akash_tenant:burn_usd_per_day{%s}' % as, '{{account}}')],
          usd, 'Price of the active leases per day, or the spend of the last 24 h when no lease rate is known.', w=4,
        ),
        p.stat(
          'Runway',
          [p.target('akash_tenant:runway_days{%s}' % as, '{{account}}')],
          'd', 'Days the balance plus the deployments\' escrow last at the current burn rate (ACT ≈ USD).', w=4,
          thresholds=[{ color: 'red', value: null }, { color: 'yellow', value: cfg.runwayDays }, { color: 'green', value: 2 * cfg.runwayDays }],
        ),
        p.stat(
          'Active leases',
          [p.target(sumA('akash_tenant_active_leases'), '{{account}}')],
          'none', 'Leases running today.', w=4, decimals=0,
        ),
        p.bargauge(
          'Cost run-rate by provider (USD per hour)',
          [p.target(c.orZeroPerAccount(c.namedOrAddress('sum by (%s) (akash_tenant_lease_rate_usd_per_hour{%s})' % [byAP, as], byAP), 'provider'), '{{name}}', instant=true)],
          usd, 'Price of the active leases per provider; provider names come from akash_provider_info where that provider is watched too.', w=12,
        ),
        p.bargauge(
          'Cost run-rate by GPU model (USD per hour)',
          [p.target(c.orZeroPerAccount('sum by (%s, gpu_model) (akash_tenant_lease_rate_usd_per_hour{%s})' % [byA, as], 'gpu_model'), '{{gpu_model}}', instant=true)],
          usd, 'Price of the active leases per GPU model ("none": no GPU, "any": several models or a wildcard).', w=12,
        ),
        p.bargauge(
          'Spend by provider in range (ACT)',
          [p.target(c.orZeroPerAccount(c.namedOrAddress('sum by (%s) (increase(akash_tenant_lease_spent_act_total{%s}[$__range]))' % [byAP, as], byAP), 'provider'), '{{name}}', instant=true)],
          act, 'Lease price × blocks per provider over the selected range.', w=6,
        ),
        p.bargauge(
          'Spend by provider in range (AKT)',
          [p.target(c.orZeroPerAccount(c.namedOrAddress('sum by (%s) (increase(akash_tenant_lease_spent_akt_total{%s}[$__range]))' % [byAP, as], byAP), 'provider'), '{{name}}', instant=true)],
          akt, 'Lease price × blocks per provider over the selected range.', w=6,
        ),
        p.bargauge(
          'Spend by GPU model in range (ACT)',
          [p.target(c.orZeroPerAccount('sum by (%s, gpu_model) (increase(akash_tenant_lease_spent_act_total{%s}[$__range]))' % [byA, as], 'gpu_model'), '{{gpu_model}}', instant=true)],
          act, 'Lease price × blocks per GPU model over the selected range.', w=6,
        ),
        p.bargauge(
          'Spend by GPU model in range (AKT)',
          [p.target(c.orZeroPerAccount('sum by (%s, gpu_model) (increase(akash_tenant_lease_spent_akt_total{%s}[$__range]))' % [byA, as], 'gpu_model'), '{{gpu_model}}', instant=true)],
          akt, 'Lease price × blocks per GPU model over the selected range.', w=6,
        ),

        p.row('Balance and runway'),
        p.timeseries(
          'Balance and escrow',
          [
            p.target(sumA('akash_tenant_balance_act'), '{{account}} balance'),
            p.target(sumA('akash_tenant_escrow_act'), '{{account}} escrow'),
          ],
          act, 'Spendable balance (remaining grant) and the amount held in escrow by active deployments.',
        ),
        p.timeseries(
          'Runway over time',
          [p.target('akash_tenant:runway_days{%s}' % as, '{{account}}')],
          'd', 'Days left at the burn rate of each moment.',
        ),

        p.row('Credits and payments'),
        p.timeseries(
          'Credit purchases per day (USD)',
          [p.target('sum by (%s, type) (increase(akash_tenant_credit_purchased_usd_total{%s}[1d]))' % [byA, as], '{{account}} {{type}}', interval='1d')],
          usd, 'Gross amount of succeeded or refunded credit transactions per day, by type.', w=8, bars=true, stack=true,
        ),
        p.timeseries(
          'Credit purchased (USD, cumulative)',
          [p.target('sum by (%s, type) (akash_tenant_credit_purchased_usd_total{%s})' % [byA, as], '{{account}} {{type}}')],
          usd, 'Lifetime gross credit purchases by type.', w=8,
        ),
        p.timeseries(
          'Refunds and bonuses (USD, cumulative)',
          [
            p.target(sumA('akash_tenant_credit_refunded_usd_total'), '{{account}} refunded'),
            p.target(sumA('akash_tenant_credit_bonus_usd_total'), '{{account}} bonus'),
          ],
          usd, 'Lifetime amounts refunded, and bonus credit granted with succeeded purchases.', w=8,
        ),
        p.bargauge(
          'Transactions by status',
          [p.target(c.orZeroPerAccount('sum by (%s, type, status) (akash_tenant_credit_transactions{%s})' % [byA, as], 'status'), '{{account}} {{type}} {{status}}', instant=true)],
          'none', 'Credit transactions by type and current status.', w=12,
        ),
        p.stat(
          'Failed card payments',
          [p.target(c.orZeroPerAccount(sumA('akash_tenant_credit_transactions', ', ' + cfg.failedPaymentSelector)), '{{account}}')],
          'none', 'Card payments (payment_intent) whose status is failed.', w=6, decimals=0,
          thresholds=[{ color: 'green', value: null }, { color: 'red', value: 1 }],
        ),
        p.stat(
          'Last credit purchase',
          [p.target('max by (%s) (akash_tenant_last_credit_purchase_timestamp_seconds{%s}) * 1000' % [byA, as], '{{account}}')],
          'dateTimeFromNow', 'Time of the newest succeeded card purchase.', w=6,
        ),
      ] + c.freshnessPanels(cfg.tenantSources, 'account'),
      c.variables(cfg, 'account'),
      cfg,
    ),
  },
}
