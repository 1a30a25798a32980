import React from 'react';
import ForgeReconciler from '@forge/react';

import { ObjectivePanel } from '../views/ObjectivePanel';

ForgeReconciler.render(
  <React.StrictMode>
    <ObjectivePanel />
  </React.StrictMode>,
);
