/** Pieces the panel and the gadget share: a status lozenge with its words, a KPI line, "as of". */
import React from 'react';
import { Inline, Lozenge, Stack, Text } from '@forge/react';

import type { Kpi, KpiStatus, ObjectiveStatus } from '../documents';
import { appearanceOf, asOf, kpiValue, statusWords, trendText } from '../format';

export function StatusLozenge({ status }: { status: ObjectiveStatus | KpiStatus }) {
  return <Lozenge appearance={appearanceOf(status)}>{statusWords(status)}</Lozenge>;
}

/** One KPI: its status in words, name, value against threshold and target, and its trend. */
export function KpiLine({ kpi, guards }: { kpi: Kpi; guards?: string[] }) {
  return (
    <Stack space="space.025">
      <Inline space="space.100" alignBlock="center">
        <StatusLozenge status={kpi.status} />
        <Text weight="medium">{kpi.name}</Text>
      </Inline>
      <Text>{kpiValue(kpi)}</Text>
      <Text size="small">{`Trend: ${trendText(kpi)}`}</Text>
      {guards && guards.length > 0 ? <Text size="small">{`Guards ${guards.join(', ')}`}</Text> : null}
    </Stack>
  );
}

export function AsOf({ instant, cycle }: { instant: string; cycle: string }) {
  return <Text size="small">{`As of ${asOf(instant)}, cycle ${cycle}`}</Text>;
}
