/*
 * lp_sim_sine.c -- the simulated LP's price wave in integers (lp_sim.h).
 *
 * A sine from libm may differ in its last bits between machines and library versions, and a
 * mid price rounded to 8 decimals would then differ too, now and then, which breaks the promise
 * that a scripted session gives the same output everywhere. So the sine is a Taylor polynomial
 * evaluated in 128-bit integers at 1e-18 scale on the first quarter of the turn (x in [0, pi/2],
 * where 11 terms leave an error below 1e-19), the other quarters by symmetry, and the result
 * rounded once to 1e-8.
 */
#include "lp/sim/lp_sim.h"

#define E18 1000000000000000000LL
/* pi/2 * 1e18, truncated (1.57079632679489661923...). */
#define HALF_PI_E18 1570796326794896619LL
#define QUARTER     (1ULL << 62) /* a quarter turn in 2^64 units */

/* sin(pi/2 * u / 2^62) at 1e-18 scale, u in [0, 2^62].
 *
 * The terms alternate in sign, so each is computed as a magnitude and added or subtracted: a
 * truncating division gives the same magnitude whatever the sign, so the digits are those of the
 * signed recurrence term = -(term * x2 / 1e18) / (2k (2k + 1)). Unsigned, the only 128-bit
 * division left is the one by 1e18 (its quotient fits 64 bits, as every term's magnitude does:
 * at most pi/2 * 1e18), and the one by 2k (2k + 1) is a 64-bit division: the desk asks every LP
 * for a price every poll, and the signed 128-bit divisions were a sixth of a round. */
static __int128 sin_quarter(uint64_t u)
{
    unsigned __int128 x = ((unsigned __int128)HALF_PI_E18 * u) >> 62; /* [0, pi/2] at 1e-18 */
    uint64_t x2 = (uint64_t)(x * x / E18);
    uint64_t term = (uint64_t)x;
    __int128 sum = (__int128)x;
    for (uint64_t k = 1; k <= 10; k++) {
        term = (uint64_t)((unsigned __int128)term * x2 / E18) / ((2 * k) * (2 * k + 1));
        sum += k & 1 ? -(__int128)term : (__int128)term;
    }
    return sum;
}

tl_fixed tl__lp_sin_turn(uint64_t turn)
{
    unsigned q = (unsigned)(turn >> 62);
    uint64_t r = turn & (QUARTER - 1);
    /* The second and fourth quarters run backwards, so a quarter turn gives sin_quarter(2^62),
     * exactly the polynomial at pi/2. */
    __int128 s = sin_quarter(q & 1 ? QUARTER - r : r);
    /* 1e-18 -> 1e-8, half away from zero; s >= 0 here, the sign comes after. */
    __int128 v = (s + 5000000000LL) / 10000000000LL;
    return (tl_fixed)(q >= 2 ? -v : v);
}

int tl__lp_sim_mid(const tl_lp_sim_params *p, const tl_lp_sim_market *m, int64_t t_ns,
                   tl_fixed *out)
{
    int64_t in = t_ns % p->period_ns;
    if (in < 0)
        in += p->period_ns;
    /* Where t falls in its period and the phase, both as fractions of a turn in 2^64 units: the
     * sum wraps modulo 2^64, which is exactly "modulo one turn". */
    uint64_t at = (uint64_t)(((unsigned __int128)in << 64) / (unsigned __int128)p->period_ns);
    uint64_t ph = (uint64_t)(((unsigned __int128)p->phase << 64) / TL_FIXED_SCALE);
    tl_fixed swing;
    int rc = tl_fixed_mul(m->amp, tl__lp_sin_turn(at + ph), &swing);
    if (rc == 0)
        rc = tl_fixed_add(m->base, swing, out);
    return rc;
}
