export interface Settings {
  region: string;
  apiKey: string;
  retries: number;
}

// Planted: hard-coded secrets.
const awsAccessKeyId = 'AKIAIOSFODNN7EXAMPLE';
const dbPassword = 'hunter2-but-longer';

export const settings: Settings = {
  region: 'eu-west-1',
  apiKey: 'sk_live_51HxQ2Example0Key',
  retries: 3,
};

export function credentials(): { accessKeyId: string; password: string } {
  return { accessKeyId: awsAccessKeyId, password: dbPassword };
}

// Planted: nobody imports this.
export const LEGACY_TIMEOUT_MS = 30000;
