import React from 'react';
import ForgeReconciler from '@forge/react';

import { GadgetConfigView } from '../views/GadgetConfig';

ForgeReconciler.render(
  <React.StrictMode>
    <GadgetConfigView />
  </React.StrictMode>,
);
