/** Words the generated catalog is made of: names, descriptions, categories and tags read like a store's. */

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Arjun', 'Bea', 'Chen', 'Dara', 'Diego', 'Elif', 'Emma', 'Farah', 'Felix', 'Grace',
  'Hana', 'Ivan', 'Jonas', 'Kai', 'Lena', 'Leo', 'Lucia', 'Mateo', 'Maya', 'Mei', 'Nadia', 'Noah', 'Omar', 'Priya',
  'Rafael', 'Sara', 'Sofia', 'Tariq', 'Theo', 'Uma', 'Vera', 'Wen', 'Yara', 'Yusuf', 'Zoe', 'Zhen',
] as const;

export const LAST_NAMES = [
  'Abbott', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Larsen',
  'Moreau', 'Nakamura', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Weber',
  'Xu', 'Yilmaz', 'Zhang', 'Andersen', 'Banerjee', 'Castillo',
] as const;

export const STUDIO_WORDS = [
  'acorn', 'aurora', 'beacon', 'bluefin', 'cedar', 'comet', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo',
  'juniper', 'kestrel', 'lumen', 'maple', 'nimbus', 'orbit', 'pixel', 'quartz', 'raven', 'sierra', 'tundra', 'umber',
  'vertex', 'willow', 'zephyr', 'lattice', 'monolith', 'saffron',
] as const;

export const APP_ADJECTIVES = [
  'Lunar', 'Swift', 'Bright', 'Quiet', 'Daily', 'Simple', 'Smart', 'Tiny', 'Pocket', 'Happy', 'Clever', 'Zen', 'Rapid',
  'Cosmic', 'Urban', 'Wild', 'Golden', 'Pure', 'Bold', 'Open', 'Secret', 'Magic', 'Super', 'Fresh', 'Silent',
] as const;

export const APP_NOUNS = [
  'Calendar', 'Notes', 'Camera', 'Weather', 'Budget', 'Tracker', 'Radio', 'Recipes', 'Journal', 'Maps', 'Scanner',
  'Timer', 'Player', 'Photos', 'Chess', 'Puzzle', 'Runner', 'Fitness', 'Sleep', 'Translate', 'Wallet', 'Garden',
  'Flashcards', 'Podcasts', 'Tasks', 'Habits', 'Compass', 'Piano', 'Stars', 'Clock',
] as const;

export const APP_SUFFIXES = ['', '', '', 'Go', 'Pro', 'Lite', 'Plus', 'HD', 'Studio', 'Pocket'] as const;

export const CATEGORIES = [
  'productivity', 'games', 'photo', 'music', 'education', 'health', 'finance', 'travel', 'social', 'tools',
  'news', 'food', 'lifestyle', 'weather', 'utilities',
] as const;

/** The first tags are the common ones: tag popularity is as skewed as everything else. */
export const TAGS = [
  'offline', 'productivity', 'free', 'privacy', 'family', 'widgets', 'dark-mode', 'sync', 'kids', 'casual', 'photo',
  'music', 'fitness', 'budget', 'notes', 'calendar', 'camera', 'puzzle', 'maps', 'travel', 'weather', 'recipes',
  'learning', 'language', 'journal', 'sleep', 'meditation', 'chess', 'podcast', 'radio', 'scanner', 'timer', 'habits',
  'astronomy', 'garden', 'wallet', 'translate', 'piano', 'retro', 'multiplayer',
] as const;

/** Description sentences: {noun} and {adjective} are filled from the app's name, so search finds apps by what they do. */
export const DESCRIPTION_SENTENCES = [
  'A {adjective} {noun} app that works offline and keeps your data on the device.',
  'Organize your day with a fast, simple {noun} built for one-handed use.',
  'Share photos and notes with family and friends in a few taps.',
  'Track progress, set reminders and see weekly charts of your habits.',
  'No ads, no tracking: a private {noun} for people who value their time.',
  'Sync across devices and pick up where you left off.',
  'Designed for beginners and loved by experts, with dark mode and widgets.',
  'Listen to music and podcasts while the {noun} runs in the background.',
  'Plan trips, check the weather and find your way with offline maps.',
  'Learn something new every day with short lessons and quizzes.',
  'Scan documents, receipts and QR codes, then export them as PDF.',
  'Play solo or challenge friends in quick multiplayer rounds.',
] as const;

export const SUSPENSION_REASONS = [
  'Malware reported by users.',
  'Repeated policy violations.',
  'Trademark complaint.',
  'Collects data without consent.',
] as const;

export const REJECTION_NOTES = [
  'The package requests permissions the description does not explain.',
  'Crashes on start on the reference device.',
  'Screenshots do not match the app.',
  'Missing privacy policy link.',
] as const;

export const PACKAGE_PERMISSIONS = ['network', 'storage', 'camera', 'location', 'microphone', 'contacts', 'notifications', 'bluetooth'] as const;

export const EVENT_TYPES = ['app_open', 'screen_view', 'button_tap', 'session_end', 'purchase', 'search', 'share', 'error'] as const;
/** How often each event type occurs, relative to the others. */
export const EVENT_TYPE_WEIGHTS = [22, 35, 25, 10, 1, 4, 2, 1] as const;

export const SCREENS = ['home', 'settings', 'detail', 'search', 'profile', 'checkout', 'onboarding', 'list'] as const;

export const MOSIS_VERSIONS = ['1.2.0', '1.3.0', '1.3.2', '1.4.0', '1.4.1', '1.5.0'] as const;
/** Newer platform releases are on more devices. */
export const MOSIS_VERSION_WEIGHTS = [3, 6, 10, 22, 30, 29] as const;

export const OAUTH_PROVIDERS = ['github', 'google'] as const;
