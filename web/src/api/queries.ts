import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { CompanySettings, CustomField } from './types';

/** The company's custom field definitions, in definition order. */
export function useCustomFields() {
  return useQuery({
    queryKey: ['custom-fields'],
    queryFn: async () => (await api<{ data: CustomField[] }>('GET', '/custom-fields')).data,
    staleTime: 60_000,
  });
}

/** Company settings (the gender options custom Gender fields accept). */
export function useCompanySettings() {
  return useQuery({ queryKey: ['company'], queryFn: () => api<CompanySettings>('GET', '/company'), staleTime: 60_000 });
}
