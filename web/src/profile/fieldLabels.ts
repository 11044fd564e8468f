import type { CustomFieldValue, FieldType } from '../api/types';

/** Standard profile fields as people name them. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  phone_number: 'Phone number',
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  street1: 'Street',
  street2: 'Street (line 2)',
  city: 'City',
  state: 'State',
  postal_code: 'Postal code',
  country: 'Country',
  congressional_district: 'Congressional district',
  state_upper_district: 'State upper district',
  state_lower_district: 'State lower district',
  split_district: 'Split district',
  latitude: 'Latitude',
  longitude: 'Longitude',
  precision: 'Precision',
  geocoded_city: 'Geocoded city',
  geocoded_state: 'Geocoded state',
  geocoded_postal_code: 'Geocoded postal code',
  geocoded_country: 'Geocoded country',
  carrier_name: 'Carrier',
  created_at: 'First seen date',
  source_type: 'First seen type',
  source_name: 'Source name',
  opted_out_at: 'Opted out at',
  opted_out_source: 'Opted out source',
  updated_at: 'Updated at',
  status: 'Subscription status',
  description: 'Description',
};

/** A label for a field path from the API (`email`, `custom_fields.Age`). */
export function fieldLabel(path: string): string {
  if (path.startsWith('custom_fields.')) return path.slice('custom_fields.'.length);
  return FIELD_LABELS[path] ?? path;
}

/** A custom field's value for reading: Yes/No for booleans, nothing for unset. */
export function showFieldValue(value: CustomFieldValue | undefined, type?: FieldType): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'boolean' || type === 'yes_no') return value === true || value === 'true' ? 'Yes' : 'No';
  return String(value);
}
