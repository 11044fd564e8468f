import type { Actor } from '../audit/audit.js';
import type { Role } from './roles.js';

/** Who is asking, for which company, with what rights. Attached to every authenticated request. */
export interface AuthContext {
  companyId: number;
  role: Role;
  actor: Actor;
  via: 'session' | 'api_key';
  /** Set for cookie sessions: state-changing requests must echo it in X-CSRF-Token. */
  csrfToken?: string;
}
