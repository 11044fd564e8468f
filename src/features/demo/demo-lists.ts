/**
 * The word lists demo data is drawn from. Names are common US first and last names,
 * with some accented and non-English ones so that search, sorting and exports meet
 * real-world text; places are real city/state/ZIP triples.
 */

export const FIRST_NAMES: readonly string[] = [
  // Common US names
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen',
  'Charles', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Ronald', 'Dorothy', 'Jason', 'Rebecca', 'Edward', 'Sharon', 'Jeffrey', 'Laura', 'Ryan', 'Cynthia',
  'Jacob', 'Amy', 'Gary', 'Kathleen', 'Nicholas', 'Angela', 'Eric', 'Shirley', 'Jonathan', 'Brenda',
  'Stephen', 'Emma', 'Larry', 'Anna', 'Justin', 'Pamela', 'Scott', 'Nicole', 'Brandon', 'Samantha',
  'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Helen', 'Alexander', 'Debra', 'Patrick', 'Rachel',
  'Frank', 'Carolyn', 'Raymond', 'Janet', 'Jack', 'Maria', 'Dennis', 'Catherine', 'Jerry', 'Heather',
  'Tyler', 'Diane', 'Aaron', 'Olivia', 'Henry', 'Julie', 'Douglas', 'Joyce', 'Peter', 'Victoria',
  'Adam', 'Ruth', 'Nathan', 'Virginia', 'Zachary', 'Lauren', 'Walter', 'Kelly', 'Kyle', 'Christina',
  'Harold', 'Joan', 'Carl', 'Evelyn', 'Arthur', 'Judith', 'Gerald', 'Andrea', 'Roger', 'Hannah',
  'Keith', 'Megan', 'Jeremy', 'Cheryl', 'Lawrence', 'Jacqueline', 'Terry', 'Martha', 'Sean', 'Madison',
  'Christian', 'Teresa', 'Albert', 'Gloria', 'Joe', 'Sara', 'Ethan', 'Janice', 'Austin', 'Ann',
  'Willie', 'Kathryn', 'Jesse', 'Abigail', 'Noah', 'Sophia', 'Billy', 'Frances', 'Bruce', 'Jean',
  'Bryan', 'Alice', 'Ralph', 'Judy', 'Roy', 'Isabella', 'Jordan', 'Julia', 'Eugene', 'Grace',
  'Wayne', 'Amber', 'Louis', 'Denise', 'Dylan', 'Danielle', 'Alan', 'Marilyn', 'Juan', 'Beverly',
  'Gabriel', 'Charlotte', 'Logan', 'Natalie', 'Elijah', 'Theresa', 'Mason', 'Diana', 'Liam', 'Brittany',
  'Darnell', 'Keisha', 'DeShawn', 'Latoya', 'Jamal', 'Tanisha', 'Malik', 'Imani', 'Terrence', 'Aaliyah',
  'Marcus', 'Ebony', 'Andre', 'Jasmine', 'Tyrone', 'Shanice', 'Reginald', 'Tamika', 'Cedric', 'Kiara',
  'Carlos', 'Rosa', 'Luis', 'Ana', 'Miguel', 'Carmen', 'Jorge', 'Guadalupe', 'Pedro', 'Alejandra',
  'Diego', 'Gabriela', 'Javier', 'Veronica', 'Ricardo', 'Yesenia', 'Fernando', 'Daniela', 'Alejandro', 'Marisol',
  'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Min-jun', 'Ji-woo', 'Arjun', 'Priya', 'Rahul', 'Ananya',
  'Omar', 'Fatima', 'Ahmed', 'Aisha', 'Mohammed', 'Layla', 'Hassan', 'Zainab', 'Tuan', 'Linh',
  'Kwame', 'Ama', 'Chinedu', 'Ngozi', 'Tenzin', 'Leilani', 'Kai', 'Nalani', 'Dakota', 'Winona',
  'Shane', 'Siobhan', 'Declan', 'Aoife', 'Connor', 'Niamh', 'Ivan', 'Olga', 'Dmitri', 'Katya',
  'Riley', 'Avery', 'Quinn', 'Morgan', 'Taylor', 'Jamie', 'Alex', 'Sam', 'Casey', 'Robin',
  // Accented and non-English spellings
  'José', 'María', 'Jesús', 'Sofía', 'Inés', 'Raúl', 'Ramón', 'Lucía', 'Andrés', 'Mónica',
  'Héctor', 'Verónica', 'Óscar', 'Martín', 'Iñaki', 'Begoña', 'Joaquín', 'Renée', 'André', 'Chloé',
  'Zoë', 'Noël', 'Hélène', 'François', 'Céline', 'Björn', 'Søren', 'Åsa', 'Łukasz', 'Zoé',
  'Jürgen', 'Müge', 'Göran', 'Thảo', 'Nguyệt', 'Đức', 'Bảo', 'Siân', 'Seán', 'Bríd',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor',
  'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis',
  'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams',
  'Nelson', 'Baker', 'Hall', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Phillips', 'Evans', 'Turner',
  'Parker', 'Collins', 'Edwards', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Morgan', 'Peterson',
  'Cooper', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward', 'Cox', 'Richardson', 'Wood',
  'Watson', 'Brooks', 'Bennett', 'Gray', 'James', 'Hughes', 'Price', 'Sanders', 'Myers', 'Long',
  'Ross', 'Foster', 'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bishop', 'Coleman', 'Butler',
  'Henderson', 'Barnes', 'Fisher', 'Simmons', 'Graham', 'Patterson', 'Jordan', 'Reynolds', 'Hamilton', 'Ford',
  'Wallace', 'Gibson', 'Cole', 'West', 'Hayes', 'Bryant', 'Ellis', 'Stevens', 'Marshall', 'Owens',
  'McDonald', 'Harrison', 'Kennedy', 'Wells', 'Alexander', 'Griffin', 'Hunter', 'Hicks', 'Crawford', 'Henry',
  'Boyd', 'Mason', 'Warren', 'Dixon', 'Burns', 'Gordon', 'Shaw', 'Holmes', 'Rice', 'Hunt',
  'Black', 'Daniels', 'Palmer', 'Mills', 'Grant', 'Knight', 'Ferguson', 'Stone', 'Hawkins', 'Dunn',
  'Perkins', 'Hudson', 'Spencer', 'Stephens', 'Pierce', 'Hansen', 'Wagner', 'Schmidt', 'Larson', 'Olson',
  'Carlson', 'Meyer', 'Weber', 'Schultz', 'Hoffman', 'Becker', 'Novak', 'Kowalski', 'Nowak', 'Wiśniewski',
  'Washington', 'Jefferson', 'Freeman', 'Banks', 'Gaines', 'Mosley', 'Battle', 'Dorsey', 'Haynes', 'Pugh',
  'Rivera', 'Torres', 'Flores', 'Reyes', 'Cruz', 'Morales', 'Ortiz', 'Gutierrez', 'Chavez', 'Ramos',
  'Ruiz', 'Mendoza', 'Castillo', 'Vasquez', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Vargas', 'Castro',
  'Nguyen', 'Tran', 'Le', 'Pham', 'Kim', 'Park', 'Choi', 'Chen', 'Wang', 'Li',
  'Zhang', 'Liu', 'Huang', 'Wu', 'Lin', 'Yang', 'Tanaka', 'Suzuki', 'Yamamoto', 'Sato',
  'Patel', 'Shah', 'Singh', 'Kumar', 'Gupta', 'Das', 'Khan', 'Ali', 'Hussein', 'Rahman',
  'Okafor', 'Adeyemi', 'Mensah', 'Diallo', 'Haile', 'Tesfaye', 'Begay', 'Yazzie', 'Kealoha', 'Nakamura',
  'Cohen', 'Levy', 'Goldberg', 'Katz', 'Friedman', 'Rossi', 'Russo', 'Romano', 'Esposito', 'Ricci',
  'Ivanov', 'Petrov', 'Popescu', 'Horvat', 'Kovács', 'Nagy', 'Jensen', 'Nielsen', 'Andersson', 'Johansson',
  "O'Brien", "O'Connor", "O'Neill", "O'Malley", "D'Angelo", "D'Souza", 'McCarthy', 'MacLeod', 'Van Buren', 'De La Cruz',
  'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Gómez',
  'Díaz', 'Jiménez', 'Álvarez', 'Fernández', 'Muñoz', 'Peña', 'Ibáñez', 'Núñez', 'Domínguez', 'Gutiérrez',
  'Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Đặng', 'Võ', 'Bùi', 'Müller', 'Schröder',
  'Dvořák', 'Çelik', 'Şahin', 'Öztürk', 'Søndergaard', 'Łowicki', 'Brontë', 'Saint-Exupéry', 'Ní Bhriain', 'Ó Súilleabháin',
  'Abernathy', 'Blackwell', 'Castellanos', 'Delgado', 'Espinoza', 'Fitzgerald', 'Gallagher', 'Holloway', 'Iverson', 'Jacobs',
  'Kaufman', 'Lindqvist', 'Montgomery', 'Navarro', 'Oyelaran', 'Pacheco', 'Quintero', 'Rosenberg', 'Salazar', 'Thornton',
];

/** Real city, state (USPS code) and ZIP code triples. */
export const PLACES: ReadonlyArray<readonly [city: string, state: string, zip: string]> = [
  ['Washington', 'DC', '20001'], ['Washington', 'DC', '20002'], ['Washington', 'DC', '20009'], ['Washington', 'DC', '20019'],
  ['New York', 'NY', '10001'], ['New York', 'NY', '10025'], ['New York', 'NY', '10031'], ['Brooklyn', 'NY', '11201'],
  ['Brooklyn', 'NY', '11221'], ['Bronx', 'NY', '10451'], ['Buffalo', 'NY', '14202'], ['Rochester', 'NY', '14604'],
  ['Albany', 'NY', '12207'], ['Los Angeles', 'CA', '90012'], ['Los Angeles', 'CA', '90026'], ['Oakland', 'CA', '94612'],
  ['San Francisco', 'CA', '94110'], ['San Jose', 'CA', '95113'], ['Sacramento', 'CA', '95814'], ['San Diego', 'CA', '92101'],
  ['Fresno', 'CA', '93721'], ['Chicago', 'IL', '60608'], ['Chicago', 'IL', '60614'], ['Chicago', 'IL', '60621'],
  ['Springfield', 'IL', '62701'], ['Rockford', 'IL', '61101'], ['Detroit', 'MI', '48201'], ['Flint', 'MI', '48502'],
  ['Grand Rapids', 'MI', '49503'], ['Lansing', 'MI', '48933'], ['Philadelphia', 'PA', '19104'], ['Philadelphia', 'PA', '19143'],
  ['Pittsburgh', 'PA', '15213'], ['Boston', 'MA', '02115'], ['Boston', 'MA', '02119'], ['Atlanta', 'GA', '30303'],
  ['Savannah', 'GA', '31401'], ['Miami', 'FL', '33130'], ['Tampa', 'FL', '33602'], ['Orlando', 'FL', '32801'],
  ['Jacksonville', 'FL', '32202'], ['Houston', 'TX', '77002'], ['Houston', 'TX', '77004'], ['Austin', 'TX', '78701'],
  ['Dallas', 'TX', '75201'], ['San Antonio', 'TX', '78205'], ['El Paso', 'TX', '79901'], ['Phoenix', 'AZ', '85004'],
  ['Tucson', 'AZ', '85701'], ['Denver', 'CO', '80202'], ['Seattle', 'WA', '98101'], ['Tacoma', 'WA', '98402'],
  ['Spokane', 'WA', '99201'], ['Portland', 'OR', '97205'], ['Eugene', 'OR', '97401'], ['Minneapolis', 'MN', '55401'],
  ['Saint Paul', 'MN', '55102'], ['Milwaukee', 'WI', '53202'], ['Madison', 'WI', '53703'], ['Columbus', 'OH', '43215'],
  ['Cleveland', 'OH', '44113'], ['Cincinnati', 'OH', '45202'], ['Toledo', 'OH', '43604'], ['Indianapolis', 'IN', '46204'],
  ['Gary', 'IN', '46402'], ['Louisville', 'KY', '40202'], ['Nashville', 'TN', '37203'], ['Memphis', 'TN', '38103'],
  ['Birmingham', 'AL', '35203'], ['New Orleans', 'LA', '70112'], ['Baton Rouge', 'LA', '70802'], ['Jackson', 'MS', '39201'],
  ['Little Rock', 'AR', '72201'], ['Oklahoma City', 'OK', '73102'], ['Tulsa', 'OK', '74103'], ['Kansas City', 'MO', '64105'],
  ['St. Louis', 'MO', '63101'], ['Omaha', 'NE', '68102'], ['Des Moines', 'IA', '50309'], ['Albuquerque', 'NM', '87102'],
  ['Santa Fe', 'NM', '87501'], ['Las Vegas', 'NV', '89101'], ['Reno', 'NV', '89501'], ['Salt Lake City', 'UT', '84101'],
  ['Boise', 'ID', '83702'], ['Charlotte', 'NC', '28202'], ['Raleigh', 'NC', '27601'], ['Durham', 'NC', '27701'],
  ['Richmond', 'VA', '23219'], ['Norfolk', 'VA', '23510'], ['Baltimore', 'MD', '21202'], ['Wilmington', 'DE', '19801'],
  ['Newark', 'NJ', '07102'], ['Jersey City', 'NJ', '07302'], ['Providence', 'RI', '02903'], ['Hartford', 'CT', '06103'],
  ['New Haven', 'CT', '06510'], ['Burlington', 'VT', '05401'], ['Portland', 'ME', '04101'], ['Manchester', 'NH', '03101'],
  ['Charleston', 'SC', '29401'], ['Columbia', 'SC', '29201'], ['Honolulu', 'HI', '96813'], ['Anchorage', 'AK', '99501'],
  ['Billings', 'MT', '59101'], ['Fargo', 'ND', '58102'], ['Sioux Falls', 'SD', '57104'], ['Cheyenne', 'WY', '82001'],
  ['Charleston', 'WV', '25301'], ['San Juan', 'PR', '00901'],
];

export const STREET_NAMES: readonly string[] = [
  'Main', 'Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Washington', 'Lincoln', 'Park', 'Lake',
  'Hill', 'Church', 'Market', 'Union', 'Franklin', 'Jefferson', 'Madison', 'Chestnut', 'Walnut', 'Spruce',
  'Highland', 'Sunset', 'Riverside', 'Broadway', 'Martin Luther King Jr', 'César Chávez', 'Harriet Tubman', 'Frederick Douglass', 'Adams', 'Jackson',
  'First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth',
  'Grand', 'Central', 'Mill', 'Spring', 'Ridge', 'Prospect', 'Water', 'Liberty', 'Pleasant', 'Green',
];

export const STREET_SUFFIXES: readonly string[] = ['St', 'Ave', 'Blvd', 'Rd', 'Dr', 'Ln', 'Way', 'Pl', 'Ct', 'Ter'];

/**
 * US geographic area codes. Every one is a real, assigned code that libphonenumber's
 * 'max' metadata accepts with any exchange 200–999 (the test checks a sample).
 */
export const AREA_CODES: readonly string[] = [
  '202', '206', '207', '208', '210', '212', '213', '214', '215', '216',
  '217', '301', '303', '305', '312', '313', '314', '401', '402', '404',
  '405', '406', '408', '412', '414', '415', '502', '503', '504', '505',
  '510', '512', '515', '602', '608', '612', '615', '617', '702', '704',
  '713', '718', '720', '727', '732', '757', '773', '786', '801', '804',
  '813', '816', '832', '857', '860', '901', '904', '916', '919', '971',
];

/** Email domains: reserved example domains (RFC 2606), so demo data can never reach a real mailbox. */
export const EMAIL_DOMAINS: readonly string[] = [
  'example.com', 'example.org', 'example.net', 'mail.example.com', 'inbox.example.org', 'members.example.net',
];

export const OPT_IN_KEYWORDS: readonly string[] = [
  'JOIN', 'VOTE', 'UNION', 'HEALTH', 'RALLY', 'VOLUNTEER', 'TENANTS', 'CLIMATE', 'STRIKE', 'INFO',
  'SIGNUP', 'RIDE', 'VOTO', 'UNETE', 'NURSES', 'TEACH', 'WAGES', 'HOUSING',
];

export const UPLOAD_FILES: readonly string[] = [
  'members-2025-03.csv', 'rally-signups.csv', 'canvass_export_final.csv', 'Petition signers (Oct).csv', 'union-roster-local-1199.csv',
  'volunteers_2026.csv', 'event-attendees-march.csv', 'phonebank list v2.csv', 'town hall RSVPs.csv', 'contacts_import.csv',
];

export const CRM_SYNCS: readonly string[] = ['EveryAction nightly sync', 'Salesforce sync', 'NGP VAN sync', 'Action Network sync', 'NationBuilder sync'];

export const API_CLIENTS: readonly string[] = ['Website signup form', 'Petition page', 'Parsons script', 'Event RSVP form', 'Mobile app'];

export const DONATION_PAGES: readonly string[] = ['Year-end donation page', 'Strike fund donations', 'Monthly sustainer page', 'Giving Tuesday'];

export const MCONNECT_LINES: readonly string[] = ['Call your senator', 'Hotline: tenant rights', 'Patch-through: city council'];

export const MDATA_SEARCHES: readonly string[] = ['Polling place lookup', 'Find your representative', 'Nearest clinic'];

export const UNION_LOCALS: readonly string[] = [
  'Local 1199', 'Local 32BJ', 'Local 721', 'Local 2', 'Local 100', 'Local 11', 'Local 226', 'Local 3000', 'Local 1000', 'Local 5',
];
