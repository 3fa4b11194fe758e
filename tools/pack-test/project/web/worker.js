import { serve } from './worker-common.js';

serve();
