/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/engine/nbody.c: integrates the Jovian planets with a symplectic
 * Euler step, after the Computer Language Benchmarks Game's n-body.
 *
 * A CPU-bound engine benchmark of double arithmetic, sqrt and division over
 * a small array that stays in cache. Prints the system's energy before and
 * after; the engine must give bit-identical IEEE results, so the line must
 * match natively, under parigot and under V8. Usage: nbody [quick].
 * Single-threaded.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FULL_STEPS 7000000 /* about 1 s natively on the bench machine */
#define QUICK_STEPS 10000
#define N_BODIES 5
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

typedef struct body {
  double x[3]; /* position, AU */
  double v[3]; /* velocity, AU per year */
  double mass; /* solar masses times 4 pi^2 */
} body;

static body bodies[N_BODIES] = {
    {{0, 0, 0}, {0, 0, 0}, SOLAR_MASS},
    {{4.84143144246472090e+00, -1.16032004402742839e+00,
      -1.03622044471123109e-01},
     {1.66007664274403694e-03 * DAYS_PER_YEAR,
      7.69901118419740425e-03 * DAYS_PER_YEAR,
      -6.90460016972063023e-05 * DAYS_PER_YEAR},
     9.54791938424326609e-04 * SOLAR_MASS},
    {{8.34336671824457987e+00, 4.12479856412430479e+00,
      -4.03523417114321381e-01},
     {-2.76742510726862411e-03 * DAYS_PER_YEAR,
      4.99852801234917238e-03 * DAYS_PER_YEAR,
      2.30417297573763929e-05 * DAYS_PER_YEAR},
     2.85885980666130812e-04 * SOLAR_MASS},
    {{1.28943695621391310e+01, -1.51111514016986312e+01,
      -2.23307578892655734e-01},
     {2.96460137564761618e-03 * DAYS_PER_YEAR,
      2.37847173959480950e-03 * DAYS_PER_YEAR,
      -2.96589568540237556e-05 * DAYS_PER_YEAR},
     4.36624404335156298e-05 * SOLAR_MASS},
    {{1.53796971148509165e+01, -2.59193146099879641e+01,
      1.79258772950371181e-01},
     {2.68067772490389322e-03 * DAYS_PER_YEAR,
      1.62824170038242295e-03 * DAYS_PER_YEAR,
      -9.51592254519715870e-05 * DAYS_PER_YEAR},
     5.15138902046611451e-05 * SOLAR_MASS}};

/* Gives the sun the momentum that makes the system's total zero. */
static void offset_momentum(void) {
  double p[3] = {0, 0, 0};
  for (int i = 0; i < N_BODIES; i++)
    for (int k = 0; k < 3; k++)
      p[k] += bodies[i].v[k] * bodies[i].mass;
  for (int k = 0; k < 3; k++)
    bodies[0].v[k] = -p[k] / SOLAR_MASS;
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < N_BODIES; i++) {
    body *b = &bodies[i];
    e += 0.5 * b->mass *
         (b->v[0] * b->v[0] + b->v[1] * b->v[1] + b->v[2] * b->v[2]);
    for (int j = i + 1; j < N_BODIES; j++) {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = b->x[k] - bodies[j].x[k];
      e -= b->mass * bodies[j].mass /
           sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    }
  }
  return e;
}

static void advance(double dt) {
  for (int i = 0; i < N_BODIES; i++) {
    body *a = &bodies[i];
    for (int j = i + 1; j < N_BODIES; j++) {
      body *b = &bodies[j];
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = a->x[k] - b->x[k];
      double d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      double mag = dt / (d2 * sqrt(d2));
      for (int k = 0; k < 3; k++) {
        a->v[k] -= d[k] * b->mass * mag;
        b->v[k] += d[k] * a->mass * mag;
      }
    }
  }
  for (int i = 0; i < N_BODIES; i++)
    for (int k = 0; k < 3; k++)
      bodies[i].x[k] += dt * bodies[i].v[k];
}

int main(int argc, char **argv) {
  int steps =
      argc > 1 && strcmp(argv[1], "quick") == 0 ? QUICK_STEPS : FULL_STEPS;
  offset_momentum();
  double before = energy();
  for (int i = 0; i < steps; i++)
    advance(0.01);
  /* %a as well as %.9f: the hex form shows any last-bit difference. */
  printf("nbody steps=%d energy=%.9f,%.9f bits=%a\n", steps, before, energy(),
         energy());
  return 0;
}
