import React from 'react';
import ForgeReconciler from '@forge/react';

import { TeamGadget } from '../views/TeamGadget';

ForgeReconciler.render(
  <React.StrictMode>
    <TeamGadget />
  </React.StrictMode>,
);
