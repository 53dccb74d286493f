"""Knowledge and method: resources (guides, method steps, case studies, tools, FAQs) with an
editorial workflow and revisions, the centre's method as a journey each commune tracks, a
multilingual glossary published as SKOS, living case studies tied to the project catalogue."""
