import { bytes } from '@deepwasm/kernels/embedded/simd128';
import { serve } from './worker-common.js';

serve({ source: bytes });
