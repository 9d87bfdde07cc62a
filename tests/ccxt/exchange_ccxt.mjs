// exchange_ccxt.mjs -- ccxt's binance class, unchanged but for its URLs, pointed at `tradeloop
// exchange` on loopback: a bot written against ccxt must work as it is. ccxt is installed into the
// build tree by tests/e2e/node_lib.sh for tests/e2e/test_exchange_ccxt.sh, which checks what this
// prints against the exchange's own state (read with the tests' own signed client).
//
// Loads the markets, fetches the order book and the ticker, creates a limit order (resting) and a
// market order (filling against a resting ask), fetches the open orders, cancels the limit order,
// fetches the trades and the balance. Prints one JSON document of what ccxt returned; any error
// exits non-zero.
//
// Environment: TL_NODE_PREFIX (where ccxt is installed), TL_BASE_URL, TL_API_KEY, TL_SECRET.
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
const ccxt = require('ccxt');

const base = env('TL_BASE_URL');
const ex = new ccxt.binance({
    apiKey: env('TL_API_KEY'),
    secret: env('TL_SECRET'),
    enableRateLimit: false,
    options: {
        // Spot only (no futures endpoints), and neither the currency list nor the margin pairs
        // (/sapi endpoints, which are not the spot API).
        fetchMarkets: { types: ['spot'] },
        fetchCurrencies: false,
        fetchMargins: false,
    },
});
for (const k of Object.keys(ex.urls.api))
    if (typeof ex.urls.api[k] === 'string' && ex.urls.api[k].startsWith('https://api.binance.com/api/v3'))
        ex.urls.api[k] = ex.urls.api[k].replace('https://api.binance.com', base);

const out = {};
const markets = await ex.loadMarkets();
const m = markets['BTC/USDT'];
assert(m && m.id === 'BTCUSDT' && m.spot, 'BTC/USDT is a spot market');
out.market = { id: m.id, base: m.base, quote: m.quote, precision: m.precision, limits: m.limits };
out.book = await ex.fetchOrderBook('BTC/USDT', 5);
out.ticker = await ex.fetchTicker('BTC/USDT');
const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 25000);
out.limit = limit;
out.open = await ex.fetchOpenOrders('BTC/USDT');
out.market_order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.05);
out.canceled = await ex.cancelOrder(limit.id, 'BTC/USDT');
out.fetched = await ex.fetchOrder(limit.id, 'BTC/USDT');
out.trades = await ex.fetchMyTrades('BTC/USDT');
const bal = await ex.fetchBalance();
out.balance = { BTC: bal.BTC, USDT: bal.USDT };
console.log(JSON.stringify(out));
