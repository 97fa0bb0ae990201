/**
 * "With and without each intervention": runs the same population and seed once without
 * interventions, once per intervention alone and, when there are several, once with all of them,
 * so the curves differ only by the intervention.
 */
import { type BlasterOptions, type BlasterResult, runBlaster } from './blaster-model.ts';
import { describeInterventions, type Interventions } from './interventions.ts';
import type { Population } from './population.ts';
import type { NamedSeries } from './series.ts';

export interface ScenarioResult extends NamedSeries {
  interventions: Interventions;
  result: BlasterResult;
}

/** Splits a combined set of interventions into one set per intervention. */
export const eachIntervention = (all: Interventions): Interventions[] => {
  const out: Interventions[] = [];
  if (all.patchPerDay) out.push({ patchPerDay: all.patchPerDay, patchStartH: all.patchStartH });
  if (all.cleanupPerDay) out.push({ cleanupPerDay: all.cleanupPerDay, cleanupStartH: all.cleanupStartH });
  if (all.borderFilterShare)
    out.push({ borderFilterShare: all.borderFilterShare, borderFilterStartH: all.borderFilterStartH });
  if (all.welchia) out.push({ welchia: all.welchia });
  return out;
};

export const runScenarios = (
  pop: Population,
  options: BlasterOptions,
  all: Interventions,
): ScenarioResult[] => {
  const singles = eachIntervention(all);
  const sets: Interventions[] = [{}, ...singles, ...(singles.length > 1 ? [all] : [])];
  return sets.map((interventions) => {
    const result = runBlaster(pop, options, interventions);
    return {
      name: describeInterventions(interventions),
      interventions,
      result,
      samples: result.samples,
    };
  });
};
