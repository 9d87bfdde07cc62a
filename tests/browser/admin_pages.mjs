// admin_pages.mjs -- the admin pages of run plans in a real browser: Debian's chromium, driven by
// playwright-core (installed into the build tree by tests/e2e/node_lib.sh for
// tests/e2e/test_serve_admin_browser.sh, which
// starts `tradeloop serve` on a store a sweep has filled and runs this script).
//
// Opens the list page, clicks through to the plan, checks the table against the sweep's own
// document, that every equity curve was rendered (non-empty bounding boxes), re-sorts by a column
// head, and takes a screenshot. Any failed check or page error exits non-zero.
//
// Environment: TL_NODE_PREFIX (where playwright-core is installed), TL_BASE_URL, TL_ADMIN_TOKEN,
// TL_SWEEP_JSON (`tradeloop sweep --json`'s document), TL_SWEEP_DD_JSON (the same, --sort
// max_drawdown_pct), TL_SHOT (the screenshot's path), TL_CHROMIUM (/usr/bin/chromium).
import fs from 'node:fs';
import { createRequire } from 'node:module';

function env(k) {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
}
function assert(cond, msg) {
    if (!cond) throw new Error(`check failed: ${msg}`);
}

const require = createRequire(`${env('TL_NODE_PREFIX')}/node_modules/`);
const { chromium } = require('playwright-core');
const base = env('TL_BASE_URL');
const sweep = JSON.parse(fs.readFileSync(env('TL_SWEEP_JSON'), 'utf8'));
const byDd = JSON.parse(fs.readFileSync(env('TL_SWEEP_DD_JSON'), 'utf8'));
const plan = sweep.run_plan_id;

// The figures of the rows on the page, in page order.
async function tableRows(page) {
    return page.locator('#variants-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => {
            const cell = (c) => tr.querySelector(`td.${c}`).textContent;
            return {
                id: tr.dataset.variant,
                rank: Number(cell('rank')),
                trades: Number(cell('trade_count')),
                ret: cell('return_pct'),
                dd: cell('max_drawdown_pct'),
                equity: cell('ending_equity'),
                overrides: cell('overrides'),
            };
        }));
}

const browser = await chromium.launch({
    executablePath: process.env.TL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'], // tests may run as root, where chromium's sandbox refuses to start
});
try {
    // The token as the paper API takes it: a header, on every request of the context.
    const context = await browser.newContext({
        extraHTTPHeaders: { 'X-Admin-Token': env('TL_ADMIN_TOKEN') },
        viewport: { width: 1500, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });

    const resp = await page.goto(`${base}/admin/testing/run-plans`);
    assert(resp.status() === 200, `list status ${resp.status()}`);
    assert((await page.title()).startsWith('Run plans'), 'list title');
    const row = page.locator(`tr[data-plan="${plan}"]`);
    assert((await row.locator('td.best').textContent()) === sweep.variants[0].variant_id,
           'the list shows the sweep\'s best variant');
    assert((await row.locator('td.strategy').textContent()) === sweep.strategy, 'strategy');

    await row.locator('td.plan a').click();
    await page.waitForURL(`**/admin/testing/run-plans/${plan}`);
    assert((await page.locator('#plan-id').textContent()) === plan, 'the detail page of the plan');

    let rows = await tableRows(page);
    assert(rows.length === sweep.variants.length && rows.length === 15, `${rows.length} rows`);
    rows.forEach((r, i) => {
        const v = sweep.variants[i];
        assert(r.id === v.variant_id && r.rank === v.rank, `row ${i}: ${r.id}, want ${v.variant_id}`);
        assert(r.trades === v.trade_count, `row ${i}: trades`);
        assert(Number(r.ret) === v.return_pct && Number(r.dd) === v.max_drawdown_pct &&
               Number(r.equity) === v.ending_equity, `row ${i}: figures ${JSON.stringify(r)}`);
        assert(JSON.stringify(JSON.parse(r.overrides)) === JSON.stringify(v.overrides),
               `row ${i}: overrides`);
    });

    // Every curve laid out and drawn: the <svg> and its polyline have a size on the page.
    const boxes = await page.locator('svg.equity').evaluateAll((svgs) => svgs.map((s) => {
        const r = s.getBoundingClientRect();
        const line = s.querySelector('polyline').getBBox();
        return { w: r.width, h: r.height, lw: line.width, lh: line.height,
                 points: s.dataset.equity.split(' ').length };
    }));
    assert(boxes.length === 15, `${boxes.length} curves`);
    boxes.forEach((b, i) => {
        assert(b.w > 0 && b.h > 0 && b.lw > 0, `curve ${i} not rendered: ${JSON.stringify(b)}`);
        assert(b.points === rows[i].trades + 1, `curve ${i}: ${b.points} points`);
        if (rows[i].trades > 0 && Number(rows[i].dd) > 0)
            assert(b.lh > 0, `curve ${i} is flat though it falls`);
    });

    // A column's head sorts, server-side: the sweep's order by drawdown.
    await page.locator('#variants-table th a', { hasText: 'max_drawdown_pct' }).click();
    await page.waitForURL('**?sort=max_drawdown_pct');
    rows = await tableRows(page);
    assert(rows.map((r) => r.id).join() === byDd.variants.map((v) => v.variant_id).join(),
           'the order by max_drawdown_pct');
    assert((await page.locator('th.sorted').textContent()) === 'max_drawdown_pct', 'sorted head');

    await page.screenshot({ path: env('TL_SHOT'), fullPage: true });
    assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
    console.log(`ok: ${rows.length} variants, ${boxes.length} curves, screenshot ${env('TL_SHOT')}`);
} finally {
    await browser.close();
}
