"""Summarises rbm-pcd-queue.sh's ais.jsonl (issue 13, constant-rate PCD, ours beside PyTorch): per side the n, mean,
sd and range of the average test log-likelihood (one estimate per RBM: AIS seed 0, the given schedule multiple m),
the difference of means (ours - PyTorch) with Welch's standard error, degrees of freedom and 95% CI, the two
one-sided tests (TOST) of |difference| < 2 nats (shown at 5% when the 90% CI lies inside +-2), the seeds per side
such a test would need at this spread, and the AIS estimator's own noise: the sd over AIS seeds on the same RBM.
usage: python3 rbm_pcd_stats.py ais.jsonl [m = 1] [--json out.json]"""
import json, math, re, sys
from collections import defaultdict
from scipy import stats

path = sys.argv[1]
m = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith('--') else 1
rows = [json.loads(l) for l in open(path) if l.strip() and '"model"' in l]
est = defaultdict(dict)  # (side, train seed) -> {ais seed: row}
for r in rows:
    g = re.search(r'(ours|torch)-pcd-s(\d+)', r['model'])
    if g and r['m'] == m and r['runs'] == 100: est[(g[1], int(g[2]))][r['seed']] = r
side = {s: sorted((k[1], v[0]['test_ll']) for k, v in est.items() if k[0] == s and 0 in v) for s in ('ours', 'torch')}
out = {'m': m, 'betas': 14500 * m + 1, 'runs': 100, 'base': 'data', 'sides': {}}
for s, xs in side.items():
    v = [x for _, x in xs]
    n = len(v); mu = sum(v) / n if n else float('nan'); sd = stats.tstd(v) if n > 1 else float('nan')
    out['sides'][s] = {'n': n, 'mean': mu, 'sd': sd, 'min': min(v, default=None), 'max': max(v, default=None), 'seeds': [k for k, _ in xs], 'test_ll': v}
    print(f"{s:6s} n={n:2d} mean={mu:8.2f} sd={sd:5.2f} range {min(v, default=0):.2f}..{max(v, default=0):.2f}")
a, b = out['sides']['ours'], out['sides']['torch']
if a['n'] > 1 and b['n'] > 1:
    va, vb = a['sd'] ** 2 / a['n'], b['sd'] ** 2 / b['n']
    d, se = a['mean'] - b['mean'], math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (a['n'] - 1) + vb ** 2 / (b['n'] - 1))
    t975, t95 = stats.t.ppf(0.975, df), stats.t.ppf(0.95, df)
    p_lo, p_hi = stats.t.sf((d + 2) / se, df), stats.t.cdf((d - 2) / se, df)
    pooled = math.sqrt((a['sd'] ** 2 + b['sd'] ** 2) / 2)
    need = math.ceil(2 * (stats.norm.ppf(0.95) + stats.norm.ppf(0.9)) ** 2 * pooled ** 2 / 4)  # 80% power at a true difference of 0
    out['welch'] = {'diff': d, 'se': se, 'df': df, 'ci95': [d - t975 * se, d + t975 * se], 'ci90': [d - t95 * se, d + t95 * se],
                    'p_two_sided': 2 * stats.t.sf(abs(d) / se, df), 'tost_p': max(p_lo, p_hi), 'tost_2nats': bool(max(p_lo, p_hi) < 0.05),
                    'pooled_sd': pooled, 'seeds_per_side_for_tost_80pct': need}
    w = out['welch']
    print(f"ours - torch = {d:+.2f} nats, se {se:.2f} (Welch df {df:.1f}), 95% CI {w['ci95'][0]:+.2f}..{w['ci95'][1]:+.2f}, "
          f"90% CI {w['ci90'][0]:+.2f}..{w['ci90'][1]:+.2f}, two-sided p {w['p_two_sided']:.2f}")
    print(f"TOST +-2 nats: p = {w['tost_p']:.3f} -> {'equivalent' if w['tost_2nats'] else 'not shown'}; "
          f"at sd {pooled:.1f} it needs ~{need} seeds per side (80% power, true difference 0)")
    u = stats.mannwhitneyu(a['test_ll'], b['test_ll'])
    out['mann_whitney_p'] = float(u.pvalue)
for s_ in ('torch', 'ours'):  # how far two runs of the same recipe land from each other
    v = out['sides'][s_]['test_ll']
    pairs = [abs(x - y) for i, x in enumerate(v) for y in v[i + 1:]]
    if pairs:
        pairs.sort()
        out['sides'][s_]['pairs'] = {'n': len(pairs), 'median_abs_diff': pairs[len(pairs) // 2] if len(pairs) % 2 else (pairs[len(pairs) // 2 - 1] + pairs[len(pairs) // 2]) / 2,
                                     'within_2_nats': sum(d < 2 for d in pairs) / len(pairs)}
        q = out['sides'][s_]['pairs']
        print(f"{s_} seed pairs: median |difference| {q['median_abs_diff']:.2f} nats, {100 * q['within_2_nats']:.0f}% of {q['n']} pairs within 2 nats")
noise = {}
for k, v in est.items():
    if len(v) > 1:
        xs = [r['test_ll'] for r in v.values()]
        noise[f'{k[0]}-s{k[1]}'] = {'ais_seeds': sorted(v), 'test_ll': xs, 'sd': stats.tstd(xs), 'eff': [r['eff'] for r in v.values()]}
        effs = ', '.join('%.1f' % r['eff'] for r in v.values())
        print(f"AIS noise {k[0]} s{k[1]}: seeds {sorted(v)} -> {', '.join('%.2f' % x for x in xs)} (sd {stats.tstd(xs):.2f}); effective runs {effs}")
out['ais_noise'] = noise
out['eff'] = {f'{k[0]}-s{k[1]}': v[0]['eff'] for k, v in est.items() if 0 in v}
out['seconds'] = {f'{k[0]}-s{k[1]}': v[0]['s'] for k, v in est.items() if 0 in v}
if '--json' in sys.argv:
    json.dump(out, open(sys.argv[sys.argv.index('--json') + 1], 'w'), indent=1)
